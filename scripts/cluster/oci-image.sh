# shellcheck shell=bash
# Writes OCI image tarballs without a container engine: sourced by scripts/cluster/real-node.sh
# for the real node's pause and probe images (and usable for any image of one directory).

# write_oci_image OUT REF ROOTFS ENTRYPOINT_JSON: an OCI image layout (oci-layout, index.json,
# blobs: one gzip layer of ROOTFS, its config, its manifest) as a tar file OUT, named REF (the
# name containerd gives it on import). Files in the layer belong to 0:0 with no time stamps, so
# the same binary gives the same image. The process runs as 65532 unless the pod says otherwise.
write_oci_image() {
	local out=$1 ref=$2 rootfs=$3 entrypoint=$4
	local dir="$out.layout"
	rm -rf "$dir"
	mkdir -p "$dir/blobs/sha256"
	local layer="$dir/layer.tar.gz" diff_id layer_digest layer_size config config_digest manifest manifest_digest
	tar --sort=name --owner=0 --group=0 --numeric-owner --mtime=@0 -C "$rootfs" -cf "$dir/layer.tar" . || return 1
	diff_id=$(sha256sum "$dir/layer.tar" | cut -d' ' -f1)
	gzip -n <"$dir/layer.tar" >"$layer" || return 1
	rm "$dir/layer.tar"
	layer_digest=$(sha256sum "$layer" | cut -d' ' -f1)
	layer_size=$(stat -c %s "$layer")
	mv "$layer" "$dir/blobs/sha256/$layer_digest"
	config=$(printf '{"architecture":"amd64","os":"linux","config":{"Entrypoint":%s,"User":"65532:65532","WorkingDir":"/"},"rootfs":{"type":"layers","diff_ids":["sha256:%s"]}}' "$entrypoint" "$diff_id")
	config_digest=$(printf '%s' "$config" | sha256sum | cut -d' ' -f1)
	printf '%s' "$config" >"$dir/blobs/sha256/$config_digest"
	manifest=$(printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:%s","size":%d},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"sha256:%s","size":%d}]}' \
		"$config_digest" "${#config}" "$layer_digest" "$layer_size")
	manifest_digest=$(printf '%s' "$manifest" | sha256sum | cut -d' ' -f1)
	printf '%s' "$manifest" >"$dir/blobs/sha256/$manifest_digest"
	printf '{"imageLayoutVersion":"1.0.0"}' >"$dir/oci-layout"
	printf '{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:%s","size":%d,"annotations":{"io.containerd.image.name":"%s","org.opencontainers.image.ref.name":"%s"}}]}' \
		"$manifest_digest" "${#manifest}" "$ref" "${ref##*:}" >"$dir/index.json"
	tar --sort=name --owner=0 --group=0 --numeric-owner --mtime=@0 -C "$dir" -cf "$out" oci-layout index.json blobs || return 1
	rm -rf "$dir"
}
