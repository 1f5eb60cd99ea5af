# Go builds shared by scripts/dev-cluster and bench/peers/build: sourced, not run. The caller
# defines `die MESSAGE` (print it and exit 1).

# find_go: the path of the go command: on PATH, else the usual install location.
find_go() {
	if command -v go >/dev/null 2>&1; then
		command -v go
	elif [[ -x /usr/local/go/bin/go ]]; then
		echo /usr/local/go/bin/go
	else
		die "go is not installed (needed once to build the local cluster and the bench's peers; see docs/local-cluster.md)"
	fi
}

# go_build_dir DEST_DIR MODULE_DIR [go build args...]: `$go build -o TMP/ ARGS` in MODULE_DIR
# (set go=$(find_go) first), with TMP renamed to DEST_DIR once it succeeded, so an interrupted
# build never leaves a half-filled directory that later runs would trust. Does nothing when DEST_DIR exists; returns
# non-zero, leaving nothing behind, when the build fails.
#
# The Go compiler collects garbage less often with GOGC=400: about a quarter less CPU for builds
# of this size (client-go from empty caches: 226 s of CPU at the default 100, 172 s at 400), for a
# few hundred MB more per compile process; a GOGC already set is kept.
# -gcflags=all=-dwarf=false: the compiler writes no debug information, which -ldflags=-s -w
# strips from the binary anyway (client-go from empty caches: 141 s of CPU with it, 123 s
# without). CGO_ENABLED=0: static binaries, no C toolchain needed, unless the caller sets
# go_build_cgo=1 (runc, for libseccomp). -trimpath keeps the binaries free of this machine's paths.
go_build_dir() {
	local dest=$1 module=$2
	shift 2
	[[ -d "$dest" ]] && return 0
	local tmp="$dest.tmp.$$"
	rm -rf "$tmp"
	mkdir -p "$tmp"
	if ! (cd "$module" &&
		CGO_ENABLED="${go_build_cgo:-0}" GOGC="${GOGC:-400}" "$go" build -trimpath -buildvcs=false -mod=readonly \
			-gcflags=all=-dwarf=false -o "$tmp/" "$@"); then
		rm -rf "$tmp"
		return 1
	fi
	mv "$tmp" "$dest"
}
