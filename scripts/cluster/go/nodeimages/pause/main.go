// Command pause is the real node's pod sandbox process: it holds the pod's
// namespaces, reaps the zombies that end up with it as their parent, and exits
// on SIGINT or SIGTERM. It is what registry.k8s.io/pause does, built here
// because the local cluster pulls no images.
package main

import (
	"os"
	"os/signal"
	"syscall"
)

func main() {
	signals := make(chan os.Signal, 8)
	signal.Notify(signals, syscall.SIGINT, syscall.SIGTERM, syscall.SIGCHLD)
	for sig := range signals {
		if sig != syscall.SIGCHLD {
			os.Exit(0)
		}
		for {
			var status syscall.WaitStatus
			pid, err := syscall.Wait4(-1, &status, syscall.WNOHANG, nil)
			if pid <= 0 || err != nil {
				break
			}
		}
	}
}
