# shellcheck shell=bash
# The real node of the local cluster (`scripts/dev-cluster up --real-node`): containerd, runc,
# the CNI plugins, a kubelet, kube-proxy and CoreDNS, all built from the Go module proxy and run
# as processes on this machine, so that pods run as real containers beside KWOK's fake node.
# Sourced by scripts/dev-cluster, not run; it uses that script's variables and functions
# (cache_root, cluster_dir, pki, log, die, start_process, stop, pid_of, devctl, go_build, ...).
# See "Real node" in docs/local-cluster.md.

real_node_name=real-node-0
# Pods on the real node get addresses from here: apart from the Service range (10.0.0.0/24) and
# from KWOK's fake pod addresses (10.244.0.0/16). The Node object carries it as spec.podCIDR.
real_node_pod_cidr=10.89.0.0/24
real_node_bridge=todoctl0
# The cluster DNS Service (kube-system/kube-dns); the kubelet gives it to pods as their nameserver.
cluster_dns_ip=10.0.0.10
# The taint and label that keep ordinary pods off the real node; values/real-node.yaml and the
# tests tolerate and select them.
real_node_taint_key=todoctl.io/real-node
# The StorageClass of volumes on the real node, served by `node local-volumes`: `local` volumes,
# which the kubelet gives to the pod's fsGroup (the default class's hostPath volumes stay root's).
real_node_storage_class=real-node-local

# The kubelet's port; the six after it are set by set_real_node_ports.
kubelet_port="${TODOCTL_KUBELET_PORT:-10350}"

node_dir="$cluster_dir/node"
# Started in this order, stopped in the reverse.
node_components=(containerd coredns kube-proxy local-volumes kubelet)

# Paths the node's programs use whatever their root directory is; `down` removes them.
host_paths=(/run/containerd /run/netns /var/lib/cni /var/lib/kubelet)
# Which cluster directory owns the real node: one real node per machine, since the paths above,
# the bridge and kube-proxy's iptables chains are the machine's.
real_node_owner=/run/todoctl-real-node

images_dir="$cache_root/images"
# The pod sandbox image, as scripts/cluster/build-images names it.
pause_image=todoctl.local/pause:1

# src_hash FILE...: a short hash of the files' contents, for cache directory names.
src_hash() { cat "$@" | cksum | cut -d' ' -f1; }

go_src="$cluster_src/go"
node_bin="$cache_root/bin/node-$KUBE_VERSION-$(src_hash "$go_src/controlplane/node/main.go" "$go_src/controlplane/go.mod" "$go_src/controlplane/go.sum")"
runc_bin="$cache_root/bin/runc-$RUNC_VERSION-$(src_hash "$go_src/runc/go.mod" "$go_src/runc/go.sum")"
containerd_bin="$cache_root/bin/containerd-$CONTAINERD_VERSION-$(src_hash "$go_src/containerd/go.mod" "$go_src/containerd/go.sum")"
cni_bin="$cache_root/bin/cni-plugins-$CNI_PLUGINS_VERSION-$(src_hash "$go_src/cni/go.mod" "$go_src/cni/go.sum")"
coredns_bin="$cache_root/bin/coredns-$COREDNS_VERSION-$(src_hash "$go_src/coredns/main.go" "$go_src/coredns/go.mod" "$go_src/coredns/go.sum")"

# ---------------------------------------------------------------------------
# Host packages

# ensure_debian_packages WHY PACKAGE...: installs the Debian packages that are missing, saying
# which and why; the real node needs a few the control plane does not.
ensure_debian_packages() {
	local why=$1 pkg missing=()
	shift
	for pkg in "$@"; do
		dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
	done
	((${#missing[@]})) || return 0
	command -v apt-get >/dev/null 2>&1 ||
		die "the real node needs the Debian packages ${missing[*]} ($why), and there is no apt-get to install them; install them and run again"
	log "installing Debian packages ${missing[*]} ($why)"
	if ! { apt-get install -y --no-install-recommends "${missing[@]}" >/dev/null 2>&1 ||
		{ apt-get update >/dev/null 2>&1 && apt-get install -y --no-install-recommends "${missing[@]}" >/dev/null; }; }; then
		die "could not install ${missing[*]} with apt-get (needed for $why); install them yourself and run again"
	fi
}

# ---------------------------------------------------------------------------
# Build

real_node_binaries_present() {
	[[ -x "$node_bin/node" && -x "$runc_bin/runc" && -x "$containerd_bin/containerd" &&
		-x "$containerd_bin/containerd-shim-runc-v2" && -x "$containerd_bin/ctr" &&
		-x "$cni_bin/bridge" && -x "$cni_bin/host-local" && -x "$cni_bin/loopback" &&
		-x "$cni_bin/portmap" && -x "$coredns_bin/coredns" ]]
}

# The versions.env of the node's programs must be the ones their modules require.
check_real_node_versions() {
	local pair module want
	for pair in "runc github.com/opencontainers/runc $RUNC_VERSION" \
		"containerd github.com/containerd/containerd/v2 $CONTAINERD_VERSION" \
		"cni github.com/containernetworking/plugins $CNI_PLUGINS_VERSION" \
		"coredns github.com/coredns/coredns $COREDNS_VERSION"; do
		module=${pair%% *}
		want=${pair#* }
		grep -Eq "^[[:space:]]*(require )?${want//./\\.}( // indirect)?\$" "$go_src/$module/go.mod" ||
			die "scripts/cluster/versions.env says ${want##* } for ${want% *}, but scripts/cluster/go/$module/go.mod does not require it; see \"Bumping versions\" in docs/local-cluster.md"
	done
}

# Builds what the real node runs, each into its own cache directory (skipped when there).
build_real_node() {
	real_node_binaries_present && return 0
	check_real_node_versions
	ensure_debian_packages "runc's seccomp support, built with cgo" gcc libc6-dev pkg-config libseccomp-dev
	go=$(find_go)
	mkdir -p "$cache_root/bin"
	exec 9>"$cache_root/bin/.build.lock"
	flock 9
	# The kubelet and kube-proxy come from the control plane's module, so most of their packages
	# are in Go's build cache already; a binary of their own keeps the control plane's small.
	go_build "$node_bin" controlplane -ldflags "$(k8s_ldflags)" ./node
	# runc is the one cgo program: libseccomp filters the system calls of containers.
	go_build_cgo=1 go_build "$runc_bin" runc -tags seccomp \
		-ldflags "-s -w -X main.version=${RUNC_VERSION#v}" github.com/opencontainers/runc
	go_build "$containerd_bin" containerd -tags "no_btrfs no_devmapper no_zfs" \
		-ldflags "-s -w -X github.com/containerd/containerd/v2/version.Version=$CONTAINERD_VERSION" \
		github.com/containerd/containerd/v2/cmd/containerd \
		github.com/containerd/containerd/v2/cmd/containerd-shim-runc-v2 \
		github.com/containerd/containerd/v2/cmd/ctr
	go_build "$cni_bin" cni \
		-ldflags "-s -w -X github.com/containernetworking/plugins/pkg/utils/buildversion.BuildVersion=$CNI_PLUGINS_VERSION" \
		github.com/containernetworking/plugins/plugins/main/bridge \
		github.com/containernetworking/plugins/plugins/ipam/host-local \
		github.com/containernetworking/plugins/plugins/main/loopback \
		github.com/containernetworking/plugins/plugins/meta/portmap
	go_build "$coredns_bin" coredns -ldflags "-s -w" .
	exec 9>&-
	real_node_binaries_present || die "build finished but the real node's binaries are missing under $cache_root/bin"
}

# ---------------------------------------------------------------------------
# Certificates and configuration

# The host address the node is known by: the kubelet refuses a loopback node IP, and the API
# server reaches the kubelet (logs, exec) at the node's InternalIP.
real_node_ip() {
	local ip
	ip=$(ip -4 route get 1.1.1.1 2>/dev/null | sed -n 's/.* src \([0-9.]*\).*/\1/p')
	[[ -n "$ip" ]] || ip=$(ip -4 -o addr show scope global 2>/dev/null | awk '{print $4; exit}' | cut -d/ -f1)
	[[ -n "$ip" ]] || die "the real node needs a non-loopback IPv4 address on this machine (none found by \`ip -4 route get\` or \`ip -4 addr\`)"
	echo "$ip"
}

# sign_cert NAME SUBJECT EXTENSIONS: a key and a certificate signed by the cluster's CA.
sign_cert() {
	local name=$1 subject=$2 ext=$3 dir="$node_dir/pki"
	mkdir -p "$dir"
	printf '%s\n' "basicConstraints = CA:FALSE" "keyUsage = critical, digitalSignature, keyEncipherment" "$ext" >"$dir/$name.ext"
	if ! openssl req -newkey rsa:2048 -nodes -sha256 -keyout "$dir/$name.key" -out "$dir/$name.csr" -subj "$subject" 2>/dev/null ||
		! openssl x509 -req -sha256 -days 3650 -in "$dir/$name.csr" -CA "$pki/ca.crt" -CAkey "$pki/ca.key" \
			-CAcreateserial -extfile "$dir/$name.ext" -out "$dir/$name.crt" 2>/dev/null; then
		die "signing the real node's $name certificate failed (openssl)"
	fi
	chmod 600 "$dir/$name.key"
}

# The kubelet's identity (the Node authorizer knows it as the node) and its serving certificate,
# which the API server checks against the cluster CA when it fetches logs or runs exec.
real_node_certs() {
	sign_cert kubelet-client "/O=system:nodes/CN=system:node:$real_node_name" "extendedKeyUsage = clientAuth"
	sign_cert kubelet-serving "/CN=$real_node_name" \
		"extendedKeyUsage = serverAuth
subjectAltName = IP:$node_ip, IP:127.0.0.1, DNS:$real_node_name"
}

# kubeconfig_for CERT KEY: a kubeconfig for the API server with that client certificate.
kubeconfig_for() {
	cat <<-EOF
		apiVersion: v1
		kind: Config
		clusters:
		- name: todoctl-dev
		  cluster:
		    server: https://127.0.0.1:$apiserver_port
		    certificate-authority: $pki/ca.crt
		users:
		- name: user
		  user:
		    client-certificate: $1
		    client-key: $2
		contexts:
		- name: todoctl-dev
		  context:
		    cluster: todoctl-dev
		    user: user
		current-context: todoctl-dev
	EOF
}

# containerd with everything under the node directory that it lets us move, the CRI plugin with
# the overlayfs snapshotter, runc with cgroupfs, and the local pause image as every pod's sandbox.
# restrict_oom_score_adj: without CAP_SYS_RESOURCE (some VMs' root) a sandbox cannot lower its
# oom_score_adj below containerd's, and would fail to start.
containerd_config() {
	cat <<-EOF
		version = 3
		root = "$node_dir/containerd/root"
		state = "$node_dir/containerd/state"
		[grpc]
		  address = "$node_dir/containerd.sock"
		[ttrpc]
		  address = "$node_dir/containerd.sock.ttrpc"
		[debug]
		  address = ""
		[metrics]
		  address = ""
		[plugins.'io.containerd.cri.v1.images']
		  snapshotter = "overlayfs"
		  [plugins.'io.containerd.cri.v1.images'.pinned_images]
		    sandbox = "$pause_image"
		[plugins.'io.containerd.cri.v1.runtime']
		  restrict_oom_score_adj = true
		  enable_unprivileged_ports = true
		  enable_unprivileged_icmp = true
		  [plugins.'io.containerd.cri.v1.runtime'.containerd]
		    default_runtime_name = "runc"
		    [plugins.'io.containerd.cri.v1.runtime'.containerd.runtimes.runc]
		      runtime_type = "io.containerd.runc.v2"
		      [plugins.'io.containerd.cri.v1.runtime'.containerd.runtimes.runc.options]
		        BinaryName = "$runc_bin/runc"
		        Root = "$node_dir/containerd/runc"
		        SystemdCgroup = false
		  [plugins.'io.containerd.cri.v1.runtime'.cni]
		    bin_dirs = ["$cni_bin"]
		    conf_dir = "$node_dir/cni"
		    max_conf_num = 1
		[plugins.'io.containerd.grpc.v1.cri']
		  stream_server_address = "127.0.0.1"
		  stream_server_port = "0"
	EOF
}

# One bridge for the node's pods, addresses from the node's pod CIDR; portmap for hostPorts.
cni_config() {
	cat <<-EOF
		{
		  "cniVersion": "1.0.0",
		  "name": "todoctl",
		  "plugins": [
		    {
		      "type": "bridge",
		      "bridge": "$real_node_bridge",
		      "isGateway": true,
		      "ipMasq": true,
		      "hairpinMode": true,
		      "ipam": {
		        "type": "host-local",
		        "ranges": [[{"subnet": "$real_node_pod_cidr"}]],
		        "routes": [{"dst": "0.0.0.0/0"}],
		        "dataDir": "$node_dir/cni-ipam"
		      }
		    },
		    {"type": "portmap", "capabilities": {"portMappings": true}}
		  ]
		}
	EOF
}

# The kubelet: API on the node IP (where the API server reaches it; client certificates of the
# cluster CA only, and those are all admins here), health on 127.0.0.1; cgroup v1 accepted;
# no image garbage collection and eviction only near a full disk, since the images cannot be
# pulled again.
kubelet_config() {
	cat <<-EOF
		apiVersion: kubelet.config.k8s.io/v1beta1
		kind: KubeletConfiguration
		address: $node_ip
		port: $kubelet_port
		readOnlyPort: 0
		healthzBindAddress: 127.0.0.1
		healthzPort: $kubelet_healthz_port
		tlsCertFile: $node_dir/pki/kubelet-serving.crt
		tlsPrivateKeyFile: $node_dir/pki/kubelet-serving.key
		authentication:
		  anonymous:
		    enabled: false
		  webhook:
		    enabled: false
		  x509:
		    clientCAFile: $pki/ca.crt
		authorization:
		  mode: AlwaysAllow
		cgroupDriver: cgroupfs
		failCgroupV1: false
		failSwapOn: false
		containerRuntimeEndpoint: unix://$node_dir/containerd.sock
		clusterDomain: cluster.local
		clusterDNS:
		- $cluster_dns_ip
		podLogsDir: $node_dir/pod-logs
		volumePluginDir: $node_dir/kubelet-volume-plugins
		imageGCHighThresholdPercent: 100
		imageGCLowThresholdPercent: 99
		evictionHard:
		  memory.available: 100Mi
		  nodefs.available: 2%
		  imagefs.available: 2%
		  nodefs.inodesFree: 2%
		serializeImagePulls: false
		maxPods: 110
		protectKernelDefaults: false
		shutdownGracePeriod: 0s
	EOF
}

# kube-proxy in iptables mode. Node ports answer on 127.0.0.1 (kube-proxy sets route_localnet
# for that) and on the node IP; conntrack limits stay as the machine has them.
kube_proxy_config() {
	cat <<-EOF
		apiVersion: kubeproxy.config.k8s.io/v1alpha1
		kind: KubeProxyConfiguration
		clientConnection:
		  kubeconfig: $kubeconfig
		hostnameOverride: $real_node_name
		healthzBindAddress: 127.0.0.1:$kube_proxy_healthz_port
		metricsBindAddress: 127.0.0.1:$kube_proxy_metrics_port
		mode: iptables
		clusterCIDR: $real_node_pod_cidr
		nodePortAddresses:
		- 127.0.0.0/8
		- $node_ip/32
		iptables:
		  localhostNodePorts: true
		conntrack:
		  maxPerCore: 0
		  min: 0
		  tcpEstablishedTimeout: 0s
		  tcpCloseWaitTimeout: 0s
	EOF
}

# CoreDNS on the node IP (pods reach it through the kube-dns Service), answering for
# cluster.local from the API and forwarding the rest as this machine resolves.
corefile() {
	cat <<-EOF
		.:$coredns_port {
		    bind $node_ip
		    errors
		    health 127.0.0.1:$coredns_health_port
		    ready 127.0.0.1:$coredns_ready_port
		    kubernetes cluster.local in-addr.arpa ip6.arpa {
		        kubeconfig $kubeconfig todoctl-dev
		        pods insecure
		        fallthrough in-addr.arpa ip6.arpa
		        ttl 30
		    }
		    forward . /etc/resolv.conf
		    cache 30
		    loop
		    reload
		    loadbalance
		}
	EOF
}

# The Node, created before the kubelet registers so that it has its pod CIDR (nothing here
# allocates one), its taint and its label from the start.
real_node_json() {
	cat <<-EOF
		{
		  "apiVersion": "v1",
		  "kind": "Node",
		  "metadata": {
		    "name": "$real_node_name",
		    "labels": {
		      "kubernetes.io/hostname": "$real_node_name",
		      "kubernetes.io/os": "linux",
		      "kubernetes.io/arch": "amd64",
		      "$real_node_taint_key": "true"
		    }
		  },
		  "spec": {
		    "podCIDR": "$real_node_pod_cidr",
		    "podCIDRs": ["$real_node_pod_cidr"],
		    "taints": [{"key": "$real_node_taint_key", "value": "true", "effect": "NoSchedule"}]
		  }
		}
	EOF
}

real_node_storage_json() {
	cat <<-EOF
		{
		  "apiVersion": "storage.k8s.io/v1",
		  "kind": "StorageClass",
		  "metadata": {"name": "$real_node_storage_class"},
		  "provisioner": "todoctl.io/local-volumes",
		  "reclaimPolicy": "Delete",
		  "volumeBindingMode": "Immediate"
		}
	EOF
}

# The cluster DNS Service: no selector, one endpoint, CoreDNS on the node IP.
kube_dns_json() {
	cat <<-EOF
		{
		  "apiVersion": "v1",
		  "kind": "Service",
		  "metadata": {"name": "kube-dns", "namespace": "kube-system", "labels": {"k8s-app": "kube-dns"}},
		  "spec": {
		    "clusterIP": "$cluster_dns_ip",
		    "ports": [
		      {"name": "dns", "port": 53, "protocol": "UDP", "targetPort": $coredns_port},
		      {"name": "dns-tcp", "port": 53, "protocol": "TCP", "targetPort": $coredns_port}
		    ]
		  }
		}
	EOF
}

kube_dns_endpoints_json() {
	cat <<-EOF
		{
		  "apiVersion": "discovery.k8s.io/v1",
		  "kind": "EndpointSlice",
		  "metadata": {
		    "name": "kube-dns-host",
		    "namespace": "kube-system",
		    "labels": {"kubernetes.io/service-name": "kube-dns", "endpointslice.kubernetes.io/managed-by": "dev-cluster.todoctl.io"}
		  },
		  "addressType": "IPv4",
		  "endpoints": [{"addresses": ["$node_ip"], "conditions": {"ready": true}, "nodeName": "$real_node_name"}],
		  "ports": [
		    {"name": "dns", "port": $coredns_port, "protocol": "UDP"},
		    {"name": "dns-tcp", "port": $coredns_port, "protocol": "TCP"}
		  ]
		}
	EOF
}

# ---------------------------------------------------------------------------
# Start

# The kubelet insists on these kernel settings and would write them; the host's stay as they
# are: the kubelet runs in a mount namespace of its own where these files are read-only copies
# holding the values it wants.
kubelet_sysctls=(vm/overcommit_memory=1 kernel/panic=10 kernel/panic_on_oops=1)

# kubelet_wrapper: the command that runs the kubelet in a private mount namespace (so the bind
# mounts below are the kubelet's alone), where /var/lib/kubelet stays shared with the host (it is
# made a shared mount first), so the volumes the kubelet mounts there are seen by containerd and
# runc. Sets the array kubelet_wrapper; the kubelet's own command line follows it.
set_kubelet_wrapper() {
	local setting file script="mount --make-rprivate /proc"
	for setting in "${kubelet_sysctls[@]}"; do
		file="$node_dir/sysctl/${setting%%=*}"
		mkdir -p "$(dirname "$file")"
		echo "${setting#*=}" >"$file"
		script+=" && mount --bind $file /proc/sys/${setting%%=*} && mount -o remount,bind,ro /proc/sys/${setting%%=*}"
	done
	# shellcheck disable=SC2016 # "$@" is expanded by the inner shell
	script+=' && exec "$@"'
	kubelet_wrapper=(unshare --mount --propagation unchanged -- sh -c "$script" kubelet)
}

# Who runs the real node on this machine, if anyone: the cluster directory in $real_node_owner.
real_node_owner_dir() {
	[[ -f "$real_node_owner" ]] && cat "$real_node_owner"
}

# Runs ctr against the node's containerd, in the namespace the CRI plugin uses.
node_ctr() { "$containerd_bin/ctr" --address "$node_dir/containerd.sock" -n k8s.io "$@"; }

# import_image TAR: one OCI image tarball into containerd, unpacked for the overlayfs snapshotter.
import_image() {
	node_ctr images import --snapshotter overlayfs "$1" >>"$cluster_dir/logs/images.log" 2>&1 ||
		die "importing the image $1 into containerd failed; see $cluster_dir/logs/images.log"
}

# The node's images (pause, probe) and the application's: scripts/cluster/build-images writes
# them as OCI tarballs (built once, cached) and prints their paths; each is imported, for pods
# with imagePullPolicy: Never.
import_images() {
	log "building the images (scripts/cluster/build-images)"
	local tars tar
	tars=$("$cluster_src/build-images" 2>>"$cluster_dir/logs/images.log") ||
		die "scripts/cluster/build-images failed; see $cluster_dir/logs/images.log"
	for tar in $tars; do
		import_image "$tar"
	done
}

# The host settings the node changes, recorded so that `down` puts them back.
record_host_settings() {
	local key
	for key in net/ipv4/ip_forward net/ipv4/conf/all/route_localnet; do
		echo "$key=$(<"/proc/sys/$key")"
	done >"$node_dir/host-settings"
}

# Sets the node's ports from the kubelet's (TODOCTL_KUBELET_PORT), refusing a bad one before
# anything starts.
set_real_node_ports() {
	if ! [[ "$kubelet_port" =~ ^[0-9]+$ ]] || ((kubelet_port < 1024 || kubelet_port > 65529)); then
		die "TODOCTL_KUBELET_PORT must be a port from 1024 to 65529 (it and the six after it are the real node's), not \`$kubelet_port\`"
	fi
	kubelet_healthz_port=$((kubelet_port + 1))
	kube_proxy_healthz_port=$((kubelet_port + 2))
	kube_proxy_metrics_port=$((kubelet_port + 3))
	coredns_port=$((kubelet_port + 4))
	coredns_health_port=$((kubelet_port + 5))
	coredns_ready_port=$((kubelet_port + 6))
}

# The node's ports must be free: the kubelet's and CoreDNS's on the node IP, the rest on 127.0.0.1.
check_real_node_ports() {
	local port
	for port in "$kubelet_port" "$coredns_port"; do
		if (exec 3<>"/dev/tcp/$node_ip/$port") 2>/dev/null; then
			die "$node_ip:$port is already in use by another program; stop it or move the real node's ports (TODOCTL_KUBELET_PORT, now $kubelet_port, and the six after it)"
		fi
	done
	for port in "$kubelet_healthz_port" "$kube_proxy_healthz_port" "$kube_proxy_metrics_port" \
		"$coredns_health_port" "$coredns_ready_port"; do
		if port_in_use "$port"; then
			die "127.0.0.1:$port is already in use by another program; stop it or move the real node's ports (TODOCTL_KUBELET_PORT, now $kubelet_port, and the six after it)"
		fi
	done
}

# Starts the real node on the running control plane and waits until it is Ready.
real_node_up() {
	local started=$SECONDS owner
	owner=$(real_node_owner_dir) || true
	# An owner whose node directory is gone left no node behind (removed by hand): not a conflict.
	if [[ -n "$owner" && "$owner" != "$cluster_dir" && -d "$owner/node" ]]; then
		die "a real node of the cluster in $owner runs on this machine (one per machine: it uses /var/lib/kubelet, /run/containerd and iptables); stop it with TODOCTL_CLUSTER_DIR=$owner scripts/dev-cluster down"
	fi
	ensure_debian_packages "kube-proxy and the CNI portmap plugin program iptables" iptables
	command -v ip >/dev/null 2>&1 || ensure_debian_packages "the node IP and the pod bridge" iproute2
	set_real_node_ports
	node_ip=$(real_node_ip)
	check_real_node_ports
	log "starting the real node $real_node_name (node IP $node_ip): ${node_components[*]}"
	echo "$cluster_dir" >"$real_node_owner"
	mkdir -p "$node_dir"/{containerd,cni,cni-ipam,pod-logs,kubelet-volume-plugins,kubelet,kube-proxy,coredns}
	record_host_settings
	real_node_certs
	kubeconfig_for "$node_dir/pki/kubelet-client.crt" "$node_dir/pki/kubelet-client.key" >"$node_dir/kubelet/kubeconfig"
	containerd_config >"$node_dir/containerd/config.toml"
	cni_config >"$node_dir/cni/10-todoctl.conflist"
	kubelet_config >"$node_dir/kubelet/config.yaml"
	kube_proxy_config >"$node_dir/kube-proxy/config.yaml"
	corefile >"$node_dir/coredns/Corefile"

	# Pods on the node reach other pods through Services: routed by this machine.
	echo 1 >/proc/sys/net/ipv4/ip_forward

	PATH="$containerd_bin:$PATH" start_process containerd "$containerd_bin/containerd" \
		--config "$node_dir/containerd/config.toml"
	wait_for "containerd (log: $cluster_dir/logs/containerd.log)" 60 node_ctr version
	import_images

	real_node_json | devctl create /api/v1/nodes
	real_node_storage_json | devctl create /apis/storage.k8s.io/v1/storageclasses
	# Created once: a second create of a Service with a fixed IP fails on the IP, not the name.
	devctl get /api/v1/namespaces/kube-system/services/kube-dns ||
		kube_dns_json | devctl create /api/v1/namespaces/kube-system/services
	kube_dns_endpoints_json | devctl create /apis/discovery.k8s.io/v1/namespaces/kube-system/endpointslices

	start_process coredns "$coredns_bin/coredns" -conf "$node_dir/coredns/Corefile"
	start_process kube-proxy "$node_bin/node" kube-proxy --config="$node_dir/kube-proxy/config.yaml"
	start_process local-volumes "$node_bin/node" local-volumes -kubeconfig "$kubeconfig" \
		-dir "$node_dir/volumes" -node "$real_node_name" -storage-class "$real_node_storage_class"

	mkdir -p /var/lib/kubelet
	if ! mountpoint -q /var/lib/kubelet; then
		mount --bind /var/lib/kubelet /var/lib/kubelet
	fi
	mount --make-rshared /var/lib/kubelet
	set_kubelet_wrapper
	start_process kubelet "${kubelet_wrapper[@]}" "$node_bin/node" kubelet \
		--config="$node_dir/kubelet/config.yaml" \
		--kubeconfig="$node_dir/kubelet/kubeconfig" \
		--hostname-override="$real_node_name" \
		--node-ip="$node_ip" \
		--root-dir=/var/lib/kubelet \
		--cert-dir="$node_dir/pki"
	wait_for "node $real_node_name to be Ready (kubelet log: $cluster_dir/logs/kubelet.log)" 120 \
		devctl node-ready "$real_node_name"
	wait_for "CoreDNS to be ready (log: $cluster_dir/logs/coredns.log)" 60 http_ok "$coredns_ready_port" /ready
	log "real node ready in $((SECONDS - started))s"
}

# http_ok PORT PATH: a GET of http://127.0.0.1:PORT/PATH answers 200 (no curl needed).
http_ok() {
	local status
	status=$(
		exec 3<>"/dev/tcp/127.0.0.1/$1" || exit 1
		printf 'GET %s HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' "$2" >&3
		head -n1 <&3
	) || return 1
	[[ "$status" == *" 200 "* ]]
}

# ---------------------------------------------------------------------------
# Stop and clean up

# Kills and removes every container runc knows in the node's runc root: what the kubelet
# started, whether or not containerd still runs.
remove_containers() {
	local root="$node_dir/containerd/runc/k8s.io" id
	[[ -d "$root" && -x "$runc_bin/runc" ]] || return 0
	for id in $("$runc_bin/runc" --root "$root" list -q 2>/dev/null); do
		"$runc_bin/runc" --root "$root" delete --force "$id" >/dev/null 2>&1 ||
			log "could not remove container $id (runc --root $root delete --force $id)"
	done
}

# Stops the containerd shims left behind (each container's parent, started by containerd).
stop_shims() {
	local exe proc shim
	shim=$(realpath -m "$containerd_bin/containerd-shim-runc-v2")
	for proc in /proc/[0-9]*; do
		exe=$(readlink "$proc/exe" 2>/dev/null) || continue
		[[ "${exe% (deleted)}" == "$shim" ]] && kill -KILL "${proc#/proc/}" 2>/dev/null
	done
	return 0
}

# Unmounts everything mounted below the node's paths (volumes, overlay root filesystems,
# network namespaces), deepest first.
unmount_node_paths() {
	local prefixes=("$node_dir" "${host_paths[@]}") mnt prefix
	# The fifth field of mountinfo is the mount point, with spaces as \040.
	awk '{print $5}' /proc/self/mountinfo | sort -r | while read -r mnt; do
		for prefix in "${prefixes[@]}"; do
			if [[ "$mnt" == "$prefix" || "$mnt" == "$prefix"/* ]]; then
				umount "$mnt" 2>/dev/null || umount -l "$mnt" 2>/dev/null ||
					log "could not unmount $mnt"
				break
			fi
		done
	done
}

# Removes the iptables rules the CNI plugins made for the node's pods (they carry the network's
# name, "todoctl", in their comment) and the per-pod chains those rules jump to; other CNI
# users' rules on this machine stay.
remove_cni_rules() {
	command -v iptables >/dev/null 2>&1 || return 0
	local table rule chain chains
	for table in nat filter; do
		chains=()
		while read -r rule; do
			chain=$(sed -n 's/.* -j \(CNI-[A-Za-z0-9-]*\).*/\1/p' <<<"$rule")
			[[ -n "$chain" && "$chain" != CNI-HOSTPORT-* ]] && chains+=("$chain")
			# shellcheck disable=SC2086 # the rule is iptables -S output: words, quotes kept by eval
			eval "iptables -t $table ${rule/-A /-D }" 2>/dev/null || true
		done < <(iptables -t "$table" -S 2>/dev/null | grep -- '-A .*name: \\"todoctl\\"' || true)
		for chain in "${chains[@]}"; do
			iptables -t "$table" -F "$chain" 2>/dev/null || true
			iptables -t "$table" -X "$chain" 2>/dev/null || true
		done
	done
}

# Removes the chains the kubelet itself makes (kube-proxy --cleanup leaves them): its canaries,
# the hint kube-proxy reads, and KUBE-FIREWALL, which drops connections to 127.0.0.0/8 from
# other addresses, with the rules that jump to it; in IPv4 and IPv6.
remove_kubelet_rules() {
	local cmd table chain
	for cmd in iptables ip6tables; do
		command -v "$cmd" >/dev/null 2>&1 || continue
		"$cmd" -D INPUT -j KUBE-FIREWALL 2>/dev/null || true
		"$cmd" -D OUTPUT -j KUBE-FIREWALL 2>/dev/null || true
		for table in filter nat mangle; do
			for chain in KUBE-FIREWALL KUBE-KUBELET-CANARY KUBE-IPTABLES-HINT; do
				"$cmd" -t "$table" -F "$chain" 2>/dev/null && "$cmd" -t "$table" -X "$chain" 2>/dev/null
			done
		done
	done
	return 0
}

# Removes the cgroups the kubelet made for pods (cgroupfs: kubepods in each hierarchy).
remove_pod_cgroups() {
	local dir
	for dir in /sys/fs/cgroup/*/kubepods /sys/fs/cgroup/kubepods; do
		[[ -d "$dir" ]] || continue
		find "$dir" -depth -type d -exec rmdir {} \; 2>/dev/null || log "could not remove the cgroups under $dir"
	done
}

# Puts back the host settings record_host_settings found.
restore_host_settings() {
	local line
	[[ -f "$node_dir/host-settings" ]] || return 0
	while IFS= read -r line; do
		echo "${line#*=}" >"/proc/sys/${line%%=*}" 2>/dev/null || log "could not restore ${line%%=*} to ${line#*=}"
	done <"$node_dir/host-settings"
}

real_node_recorded() {
	local name
	[[ -d "$node_dir" ]] && return 0
	for name in "${node_components[@]}"; do
		[[ -f "$(pid_file "$name")" ]] && return 0
	done
	return 1
}

# Stops the real node and removes everything it left on the machine.
real_node_down() {
	real_node_recorded || return 0
	# The kubelet first, so that it restarts nothing; then the containers, then the rest.
	stop kubelet
	remove_containers
	stop local-volumes kube-proxy coredns containerd
	stop_shims
	if [[ -x "$node_bin/node" ]]; then
		"$node_bin/node" kube-proxy --cleanup >>"$cluster_dir/logs/kube-proxy.log" 2>&1 ||
			log "kube-proxy --cleanup failed; see $cluster_dir/logs/kube-proxy.log"
	fi
	remove_cni_rules
	remove_kubelet_rules
	unmount_node_paths
	ip link delete "$real_node_bridge" 2>/dev/null || true
	remove_pod_cgroups
	restore_host_settings
	local path
	for path in "${host_paths[@]}"; do
		rm -rf "$path" || log "could not remove $path"
	done
	# The kubelet links each container's log into /var/log/containers.
	find /var/log/containers -maxdepth 1 -lname "$node_dir/pod-logs/*" -delete 2>/dev/null || true
	rm -rf "$node_dir"
	[[ "$(real_node_owner_dir 2>/dev/null)" == "$cluster_dir" ]] && rm -f "$real_node_owner"
	log "real node stopped"
}

# One line per node process, as cmd_status prints the control plane's; returns 1 if one of
# them is not running.
real_node_status() {
	local name pid rc=0
	for name in "${node_components[@]}"; do
		if pid=$(pid_of "$name"); then
			printf '%-24s pid %-8s running\n' "$name" "$pid"
		elif [[ -f "$(pid_file "$name")" ]]; then
			printf '%-24s pid %-8s not running (log: %s)\n' "$name" "$(<"$(pid_file "$name")")" "$cluster_dir/logs/$name.log"
			rc=1
		fi
	done
	return "$rc"
}

# Every process of the real node runs.
real_node_running() {
	local name
	for name in "${node_components[@]}"; do
		pid_of "$name" >/dev/null || return 1
	done
}
