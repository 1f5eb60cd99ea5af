//go:build tools

// Package tools pins the kapp command so that `go mod tidy` keeps its
// dependencies in go.sum.
package tools

import (
	_ "carvel.dev/kapp/cmd/kapp"
)
