package main

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestNormalizeRef(t *testing.T) {
	for in, want := range map[string]string{
		"todo-backend:1.0.0":        "docker.io/library/todo-backend:1.0.0",
		"team/app:2":                "docker.io/team/app:2",
		"todoctl.local/postgres:15": "todoctl.local/postgres:15",
		"localhost/x:1":             "localhost/x:1",
		"registry:5000/a/b:c":       "registry:5000/a/b:c",
	} {
		got, err := normalizeRef(in)
		if err != nil || got != want {
			t.Errorf("normalizeRef(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "no-tag", "registry:5000/no-tag", "Upper:1", "a@sha256:00"} {
		if got, err := normalizeRef(bad); err == nil {
			t.Errorf("normalizeRef(%q) = %q, want an error", bad, got)
		}
	}
}

// tree makes a small tree with a directory, an executable, a hard link and a symlink.
func tree(t *testing.T) string {
	dir := t.TempDir()
	must(t, os.MkdirAll(filepath.Join(dir, "usr/bin"), 0o755))
	must(t, os.WriteFile(filepath.Join(dir, "usr/bin/prog"), []byte("#!/bin/sh\necho hi\n"), 0o755))
	must(t, os.Link(filepath.Join(dir, "usr/bin/prog"), filepath.Join(dir, "usr/bin/prog2")))
	must(t, os.Symlink("prog", filepath.Join(dir, "usr/bin/link")))
	must(t, os.Mkdir(filepath.Join(dir, "tmp"), 0o755))
	must(t, os.Chmod(filepath.Join(dir, "tmp"), 0o777|os.ModeSticky))
	return dir
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// The same tree gives the same layer, wherever it is and whenever it was made.
func TestLayerIsDeterministic(t *testing.T) {
	a, diffA, err := layerFromDir(tree(t))
	must(t, err)
	b, diffB, err := layerFromDir(tree(t))
	must(t, err)
	if digestOf(a) != digestOf(b) || diffA != diffB {
		t.Fatalf("two layers of the same tree differ: %s %s, %s %s", digestOf(a), diffA, digestOf(b), diffB)
	}
}

// An image written by `oci` unpacks to the same tree, modes and links included, and its
// configuration comes back as `unpack` prints it.
func TestOCIRoundTrip(t *testing.T) {
	src := tree(t)
	out := filepath.Join(t.TempDir(), "img.tar")
	cfg := filepath.Join(t.TempDir(), "config.json")
	must(t, os.WriteFile(cfg, []byte(`{"User":"1001:1001","Entrypoint":["/usr/bin/prog"],"Cmd":["x"],"Env":["PATH=/usr/bin"]}`), 0o644))
	must(t, cmdOCI([]string{"-o", out, "-name", "demo:1", "-config", cfg, "-layer", src}))

	dest := filepath.Join(t.TempDir(), "root")
	stdout := os.Stdout
	r, w, err := os.Pipe()
	must(t, err)
	os.Stdout = w
	err = cmdUnpack([]string{"-o", dest, out})
	os.Stdout = stdout
	must(t, w.Close())
	must(t, err)
	b, err := io.ReadAll(r)
	must(t, err)
	printed := string(b)
	if want := "user 1001:1001\nworkdir \nenv PATH=/usr/bin\narg /usr/bin/prog\narg x\n"; printed != want {
		t.Errorf("unpack printed %q, want %q", printed, want)
	}

	fi, err := os.Stat(filepath.Join(dest, "usr/bin/prog"))
	must(t, err)
	if fi.Mode().Perm() != 0o755 {
		t.Errorf("prog has mode %v", fi.Mode())
	}
	fi2, err := os.Stat(filepath.Join(dest, "usr/bin/prog2"))
	must(t, err)
	if !os.SameFile(fi, fi2) {
		t.Error("the hard link came back as a copy")
	}
	if target, err := os.Readlink(filepath.Join(dest, "usr/bin/link")); err != nil || target != "prog" {
		t.Errorf("the symlink came back as %q, %v", target, err)
	}
	fi, err = os.Stat(filepath.Join(dest, "tmp"))
	must(t, err)
	if fi.Mode()&os.ModeSticky == 0 || fi.Mode().Perm() != 0o777 {
		t.Errorf("tmp has mode %v, want sticky 0777", fi.Mode())
	}
}

// elfdeps finds a library that is missing from the root and is content when it is there.
func TestElfdeps(t *testing.T) {
	self, err := os.Executable()
	must(t, err)
	root := t.TempDir()
	must(t, os.MkdirAll(filepath.Join(root, "bin"), 0o755))
	data, err := os.ReadFile(self)
	must(t, err)
	must(t, os.WriteFile(filepath.Join(root, "bin/prog"), data, 0o755))
	// The test binary is static (no cgo) or needs libc: either way elfdeps must not fail on
	// a static one, and must name what a dynamic one lacks.
	err = cmdElfdeps([]string{root, "bin"})
	if err != nil && !strings.Contains(err.Error(), "bin/prog: ") {
		t.Fatalf("elfdeps: %v", err)
	}
}
