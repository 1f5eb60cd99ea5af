// Command node is the real node's Kubernetes components in one binary, built
// from the control plane's module (same versions, same build cache) but apart
// from the control plane binary, which every user builds and which need not
// carry them: only `scripts/dev-cluster up --real-node` builds this one.
//
//	node kubelet|kube-proxy|local-volumes [FLAGS...]
//
// Each component's main is reproduced from its release (kubernetes
// cmd/kubelet/kubelet.go, cmd/kube-proxy/proxy.go); keep them in step on a bump.
package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"k8s.io/component-base/cli"
	_ "k8s.io/component-base/logs/json/register"          // JSON log format
	_ "k8s.io/component-base/metrics/prometheus/clientgo" // client-go metrics
	_ "k8s.io/component-base/metrics/prometheus/version"  // version metric
	proxy "k8s.io/kubernetes/cmd/kube-proxy/app"
	kubelet "k8s.io/kubernetes/cmd/kubelet/app"
)

var components = map[string]func() int{
	"kubelet": func() int {
		return cli.Run(kubelet.NewKubeletCommand(context.Background()))
	},
	"kube-proxy": func() int {
		return cli.Run(proxy.NewProxyCommand())
	},
	"local-volumes": localVolumes,
}

func main() {
	if len(os.Args) < 2 || components[os.Args[1]] == nil {
		names := make([]string, 0, len(components))
		for name := range components {
			names = append(names, name)
		}
		sort.Strings(names)
		fmt.Fprintf(os.Stderr, "usage: %s %s [FLAGS...]\n",
			filepath.Base(os.Args[0]), strings.Join(names, "|"))
		os.Exit(2)
	}
	// Each component parses os.Args as its own command line.
	name := os.Args[1]
	os.Args = append([]string{name}, os.Args[2:]...)
	os.Exit(components[name]())
}
