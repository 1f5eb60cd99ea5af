//go:build tools

// Package tools pins kubectl, which is built from this module on first use
// (not into control-plane), so that `go mod tidy` keeps its dependencies.
package tools

import (
	_ "k8s.io/kubernetes/cmd/kubectl"
)
