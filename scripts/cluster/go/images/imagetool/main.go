// imagetool writes, checks and unpacks the local cluster's OCI image tarballs, so that
// scripts/cluster/build-images needs neither Docker nor a registry:
//
//	imagetool oci -o OUT.tar -name REF -config CONFIG.json -layer DIR [-layer DIR ...]
//	imagetool elfdeps ROOT PATH...
//	imagetool unpack -o DIR IMAGE.tar
//
// `oci` writes an OCI image layout as one tar (oci-layout, index.json, a manifest, a config
// and one gzip'd layer per directory), which `ctr -n k8s.io images import` takes as is: the
// index names the image REF, normalized the way the kubelet asks for it (`todo-backend:1.0.0`
// becomes `docker.io/library/todo-backend:1.0.0`). The output depends only on the inputs:
// entries are sorted, owned by root, with a fixed time, so an unchanged image keeps its digest.
//
// `elfdeps` checks that every ELF file under ROOT/PATH finds its interpreter and the shared
// libraries it needs inside ROOT, so an image missing a library fails its build instead of
// its first run.
//
// `unpack` extracts an image's layers in order into DIR, for tests that run an image's
// entrypoint without a container runtime, and prints what a runtime takes from the image's
// configuration, one item a line: `user U`, `workdir W`, `env K=V` for each variable, and
// `arg A` for each word of the entrypoint followed by the command.
package main

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"debug/elf"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"syscall"
	"time"
)

const (
	mediaIndex    = "application/vnd.oci.image.index.v1+json"
	mediaManifest = "application/vnd.oci.image.manifest.v1+json"
	mediaConfig   = "application/vnd.oci.image.config.v1+json"
	mediaLayer    = "application/vnd.oci.image.layer.v1.tar+gzip"
	// The name containerd gives an image it imports; the OCI annotation is for other tools.
	annotationContainerdName = "io.containerd.image.name"
	annotationRefName        = "org.opencontainers.image.ref.name"
)

// epoch is the time of every entry and of the image: the same inputs give the same digests.
var epoch = time.Unix(0, 0).UTC()

func main() {
	if len(os.Args) < 2 {
		usage()
	}
	var err error
	switch os.Args[1] {
	case "oci":
		err = cmdOCI(os.Args[2:])
	case "elfdeps":
		err = cmdElfdeps(os.Args[2:])
	case "unpack":
		err = cmdUnpack(os.Args[2:])
	default:
		usage()
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "imagetool %s: %v\n", os.Args[1], err)
		os.Exit(1)
	}
}

func usage() {
	fmt.Fprint(os.Stderr, `usage:
  imagetool oci -o OUT.tar -name REF -config CONFIG.json -layer DIR [-layer DIR ...]
  imagetool elfdeps ROOT PATH...
  imagetool unpack -o DIR IMAGE.tar
`)
	os.Exit(2)
}

type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

type descriptor struct {
	MediaType   string            `json:"mediaType"`
	Digest      string            `json:"digest"`
	Size        int64             `json:"size"`
	Annotations map[string]string `json:"annotations,omitempty"`
	Platform    *platform         `json:"platform,omitempty"`
}

type platform struct {
	Architecture string `json:"architecture"`
	OS           string `json:"os"`
}

type manifest struct {
	SchemaVersion int          `json:"schemaVersion"`
	MediaType     string       `json:"mediaType"`
	Config        descriptor   `json:"config"`
	Layers        []descriptor `json:"layers"`
}

type index struct {
	SchemaVersion int          `json:"schemaVersion"`
	MediaType     string       `json:"mediaType"`
	Manifests     []descriptor `json:"manifests"`
}

// blob is one file of blobs/sha256/ in the layout.
type blob struct {
	digest string
	data   []byte
}

func cmdOCI(args []string) error {
	fl := flag.NewFlagSet("oci", flag.ExitOnError)
	out := fl.String("o", "", "the tarball to write")
	name := fl.String("name", "", "the image reference, such as todo-backend:1.0.0")
	configPath := fl.String("config", "", "a JSON file holding the image's run configuration (Entrypoint, Cmd, Env, User, ...)")
	var layers listFlag
	fl.Var(&layers, "layer", "a directory whose tree is one layer (repeat, bottom layer first)")
	_ = fl.Parse(args)
	if *out == "" || *name == "" || *configPath == "" || len(layers) == 0 || fl.NArg() != 0 {
		usage()
	}
	ref, err := normalizeRef(*name)
	if err != nil {
		return err
	}
	runConfig, err := os.ReadFile(*configPath)
	if err != nil {
		return fmt.Errorf("reading the run configuration: %w", err)
	}
	if !json.Valid(runConfig) {
		return fmt.Errorf("%s is not valid JSON", *configPath)
	}

	var blobs []blob
	var layerDescs []descriptor
	var diffIDs []string
	for _, dir := range layers {
		gz, diffID, err := layerFromDir(dir)
		if err != nil {
			return fmt.Errorf("layer %s: %w", dir, err)
		}
		d := digestOf(gz)
		blobs = append(blobs, blob{d, gz})
		layerDescs = append(layerDescs, descriptor{MediaType: mediaLayer, Digest: d, Size: int64(len(gz))})
		diffIDs = append(diffIDs, diffID)
	}

	history := make([]map[string]any, len(layers))
	for i := range history {
		history[i] = map[string]any{"created": epoch.Format(time.RFC3339), "created_by": "scripts/cluster/build-images"}
	}
	config, err := json.Marshal(map[string]any{
		"created":      epoch.Format(time.RFC3339),
		"architecture": runtime.GOARCH,
		"os":           "linux",
		"config":       json.RawMessage(runConfig),
		"rootfs":       map[string]any{"type": "layers", "diff_ids": diffIDs},
		"history":      history,
	})
	if err != nil {
		return err
	}
	configDesc := descriptor{MediaType: mediaConfig, Digest: digestOf(config), Size: int64(len(config))}
	blobs = append(blobs, blob{configDesc.Digest, config})

	man, err := json.Marshal(manifest{SchemaVersion: 2, MediaType: mediaManifest, Config: configDesc, Layers: layerDescs})
	if err != nil {
		return err
	}
	manDesc := descriptor{
		MediaType: mediaManifest, Digest: digestOf(man), Size: int64(len(man)),
		Annotations: map[string]string{annotationContainerdName: ref, annotationRefName: ref},
		Platform:    &platform{Architecture: runtime.GOARCH, OS: "linux"},
	}
	blobs = append(blobs, blob{manDesc.Digest, man})
	idx, err := json.Marshal(index{SchemaVersion: 2, MediaType: mediaIndex, Manifests: []descriptor{manDesc}})
	if err != nil {
		return err
	}

	// Written beside the target and renamed, so an interrupted run leaves no tarball to trust.
	tmp := *out + ".tmp"
	f, err := os.Create(tmp)
	if err != nil {
		return err
	}
	defer os.Remove(tmp)
	tw := tar.NewWriter(f)
	files := []struct {
		name string
		data []byte
	}{
		{"oci-layout", []byte(`{"imageLayoutVersion":"1.0.0"}`)},
		{"index.json", idx},
	}
	for _, b := range blobs {
		files = append(files, struct {
			name string
			data []byte
		}{"blobs/sha256/" + strings.TrimPrefix(b.digest, "sha256:"), b.data})
	}
	for _, dir := range []string{"blobs/", "blobs/sha256/"} {
		if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeDir, Name: dir, Mode: 0o755, ModTime: epoch}); err != nil {
			return err
		}
	}
	for _, file := range files {
		if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: file.name, Mode: 0o644, Size: int64(len(file.data)), ModTime: epoch}); err != nil {
			return err
		}
		if _, err := tw.Write(file.data); err != nil {
			return err
		}
	}
	if err := tw.Close(); err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp, *out); err != nil {
		return err
	}
	fmt.Printf("%s %s\n", ref, manDesc.Digest)
	return nil
}

// normalizeRef gives a reference the full form containerd stores and the kubelet asks for:
// the docker.io registry and library/ namespace when they are implied, a tag always.
func normalizeRef(name string) (string, error) {
	if name == "" || strings.ContainsAny(name, " \t@") || strings.ToLower(name) != name {
		return "", fmt.Errorf("image name %q: want lowercase repository[:tag], no digest", name)
	}
	repo, tag := name, ""
	if i := strings.LastIndex(name, ":"); i > strings.LastIndex(name, "/") {
		repo, tag = name[:i], name[i+1:]
	}
	if tag == "" {
		return "", fmt.Errorf("image name %q has no tag", name)
	}
	first, _, hasSlash := strings.Cut(repo, "/")
	switch {
	case !hasSlash:
		repo = "docker.io/library/" + repo
	case !strings.ContainsAny(first, ".:") && first != "localhost":
		repo = "docker.io/" + repo
	}
	return repo + ":" + tag, nil
}

func digestOf(b []byte) string {
	sum := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(sum[:])
}

// layerFromDir returns the gzip'd tar of dir's tree and the digest of the uncompressed tar
// (the layer's diff ID). Every entry is owned by root with the fixed time; modes are kept;
// files hard-linked to each other stay hard links.
func layerFromDir(dir string) ([]byte, string, error) {
	var paths []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if p != dir {
			paths = append(paths, p)
		}
		return nil
	})
	if err != nil {
		return nil, "", err
	}
	sort.Strings(paths)

	var gzBuf bytes.Buffer
	gz, err := gzip.NewWriterLevel(&gzBuf, gzip.DefaultCompression)
	if err != nil {
		return nil, "", err
	}
	diff := sha256.New()
	tw := tar.NewWriter(io.MultiWriter(gz, diff))
	type inode struct{ dev, ino uint64 }
	linked := map[inode]string{}
	for _, p := range paths {
		rel := filepath.ToSlash(strings.TrimPrefix(p, dir+string(filepath.Separator)))
		fi, err := os.Lstat(p)
		if err != nil {
			return nil, "", err
		}
		hdr := &tar.Header{Name: rel, Mode: int64(fi.Mode().Perm()), ModTime: epoch, Format: tar.FormatPAX}
		if fi.Mode()&fs.ModeSetuid != 0 {
			hdr.Mode |= 0o4000
		}
		if fi.Mode()&fs.ModeSetgid != 0 {
			hdr.Mode |= 0o2000
		}
		if fi.Mode()&fs.ModeSticky != 0 {
			hdr.Mode |= 0o1000
		}
		switch {
		case fi.IsDir():
			hdr.Typeflag, hdr.Name = tar.TypeDir, rel+"/"
		case fi.Mode()&fs.ModeSymlink != 0:
			target, err := os.Readlink(p)
			if err != nil {
				return nil, "", err
			}
			hdr.Typeflag, hdr.Linkname = tar.TypeSymlink, target
		case fi.Mode().IsRegular():
			st, ok := fi.Sys().(*syscall.Stat_t)
			if ok && st.Nlink > 1 {
				key := inode{uint64(st.Dev), st.Ino}
				if first, seen := linked[key]; seen {
					hdr.Typeflag, hdr.Linkname = tar.TypeLink, first
					break
				}
				linked[key] = rel
			}
			hdr.Typeflag, hdr.Size = tar.TypeReg, fi.Size()
		default:
			return nil, "", fmt.Errorf("%s: only directories, regular files and symlinks go into a layer", p)
		}
		if err := tw.WriteHeader(hdr); err != nil {
			return nil, "", err
		}
		if hdr.Typeflag == tar.TypeReg {
			if err := copyFile(tw, p); err != nil {
				return nil, "", err
			}
		}
	}
	if err := tw.Close(); err != nil {
		return nil, "", err
	}
	if err := gz.Close(); err != nil {
		return nil, "", err
	}
	return gzBuf.Bytes(), "sha256:" + hex.EncodeToString(diff.Sum(nil)), nil
}

func copyFile(w io.Writer, p string) error {
	f, err := os.Open(p)
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = io.Copy(w, f)
	return err
}

// ---------------------------------------------------------------------------
// elfdeps

// The directories the dynamic loader searches when no ld.so.cache says otherwise (Debian,
// amd64 and arm64).
var libDirs = []string{
	"/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu",
	"/lib/aarch64-linux-gnu", "/usr/lib/aarch64-linux-gnu",
	"/lib64", "/usr/lib64", "/lib", "/usr/lib",
}

func cmdElfdeps(args []string) error {
	if len(args) < 2 {
		usage()
	}
	root := args[0]
	var problems []string
	checked := map[string]bool{}
	var check func(p string) error
	check = func(p string) error {
		if checked[p] {
			return nil
		}
		checked[p] = true
		f, err := elf.Open(filepath.Join(root, p))
		if err != nil {
			return nil // not an ELF file: scripts, data
		}
		defer f.Close()
		for _, prog := range f.Progs {
			if prog.Type != elf.PT_INTERP {
				continue
			}
			b, err := io.ReadAll(prog.Open())
			if err != nil {
				return err
			}
			interp := strings.TrimRight(string(b), "\x00")
			if _, err := resolveIn(root, interp); err != nil {
				problems = append(problems, fmt.Sprintf("%s: interpreter %s is missing", p, interp))
			}
		}
		needed, err := f.ImportedLibraries()
		if err != nil {
			return nil
		}
		dirs := append([]string{}, libDirs...)
		for _, tag := range []elf.DynTag{elf.DT_RUNPATH, elf.DT_RPATH} {
			vals, _ := f.DynString(tag)
			for _, v := range vals {
				for _, d := range strings.Split(v, ":") {
					dirs = append(dirs, strings.ReplaceAll(d, "$ORIGIN", path.Dir(p)))
				}
			}
		}
		for _, lib := range needed {
			found := ""
			for _, d := range dirs {
				if r, err := resolveIn(root, path.Join(d, lib)); err == nil {
					found = r
					break
				}
			}
			if found == "" {
				problems = append(problems, fmt.Sprintf("%s: needs %s, which is not in the image", p, lib))
				continue
			}
			if err := check(found); err != nil {
				return err
			}
		}
		return nil
	}
	for _, start := range args[1:] {
		err := filepath.WalkDir(filepath.Join(root, start), func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.Type().IsRegular() {
				return check("/" + filepath.ToSlash(strings.TrimPrefix(p, filepath.Clean(root)+"/")))
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	if len(problems) > 0 {
		sort.Strings(problems)
		return errors.New("missing shared objects:\n  " + strings.Join(problems, "\n  "))
	}
	return nil
}

// resolveIn follows p's symlinks as if root were /, and returns the path inside root of an
// existing regular file.
func resolveIn(root, p string) (string, error) {
	cur := path.Clean("/" + p)
	for hops := 0; hops < 40; hops++ {
		// Resolve the directories first, one component at a time.
		parts := strings.Split(strings.TrimPrefix(cur, "/"), "/")
		resolved := "/"
		restarted := false
		for i, part := range parts {
			next := path.Join(resolved, part)
			fi, err := os.Lstat(filepath.Join(root, next))
			if err != nil {
				return "", err
			}
			if fi.Mode()&fs.ModeSymlink != 0 {
				target, err := os.Readlink(filepath.Join(root, next))
				if err != nil {
					return "", err
				}
				if !path.IsAbs(target) {
					target = path.Join(resolved, target)
				}
				cur = path.Clean(path.Join(append([]string{target}, parts[i+1:]...)...))
				restarted = true
				break
			}
			resolved = next
		}
		if !restarted {
			fi, err := os.Stat(filepath.Join(root, resolved))
			if err != nil {
				return "", err
			}
			if !fi.Mode().IsRegular() {
				return "", fmt.Errorf("%s is not a file", p)
			}
			return resolved, nil
		}
	}
	return "", fmt.Errorf("%s: too many symlinks", p)
}

// ---------------------------------------------------------------------------
// unpack

func cmdUnpack(args []string) error {
	fl := flag.NewFlagSet("unpack", flag.ExitOnError)
	out := fl.String("o", "", "the directory to extract into (created)")
	_ = fl.Parse(args)
	if *out == "" || fl.NArg() != 1 {
		usage()
	}
	blobs, err := readLayout(fl.Arg(0))
	if err != nil {
		return err
	}
	var idx index
	if err := json.Unmarshal(blobs["index.json"], &idx); err != nil || len(idx.Manifests) != 1 {
		return fmt.Errorf("%s: index.json must list one manifest", fl.Arg(0))
	}
	var man manifest
	if err := json.Unmarshal(blobs[idx.Manifests[0].Digest], &man); err != nil {
		return fmt.Errorf("%s: reading the manifest: %w", fl.Arg(0), err)
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		return err
	}
	var config struct {
		Config struct {
			User       string
			WorkingDir string
			Env        []string
			Entrypoint []string
			Cmd        []string
		} `json:"config"`
	}
	if err := json.Unmarshal(blobs[man.Config.Digest], &config); err != nil {
		return fmt.Errorf("%s: reading the image configuration: %w", fl.Arg(0), err)
	}
	c := config.Config
	fmt.Printf("user %s\nworkdir %s\n", c.User, c.WorkingDir)
	for _, e := range c.Env {
		fmt.Printf("env %s\n", e)
	}
	for _, a := range append(c.Entrypoint, c.Cmd...) {
		fmt.Printf("arg %s\n", a)
	}
	for _, l := range man.Layers {
		data, ok := blobs[l.Digest]
		if !ok {
			return fmt.Errorf("%s: layer %s is missing", fl.Arg(0), l.Digest)
		}
		if err := extractLayer(data, *out); err != nil {
			return fmt.Errorf("layer %s: %w", l.Digest, err)
		}
	}
	return nil
}

// readLayout reads an image tarball: index.json by that name, every blob by its digest,
// each checked against its digest.
func readLayout(p string) (map[string][]byte, error) {
	f, err := os.Open(p)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	blobs := map[string][]byte{}
	tr := tar.NewReader(f)
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", p, err)
		}
		if hdr.Typeflag != tar.TypeReg {
			continue
		}
		data, err := io.ReadAll(tr)
		if err != nil {
			return nil, err
		}
		switch {
		case hdr.Name == "index.json":
			blobs["index.json"] = data
		case strings.HasPrefix(hdr.Name, "blobs/sha256/"):
			d := "sha256:" + strings.TrimPrefix(hdr.Name, "blobs/sha256/")
			if digestOf(data) != d {
				return nil, fmt.Errorf("%s: blob %s does not match its digest", p, hdr.Name)
			}
			blobs[d] = data
		}
	}
	return blobs, nil
}

func extractLayer(data []byte, dest string) error {
	gz, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		return err
	}
	tr := tar.NewReader(gz)
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		name := path.Clean("/" + hdr.Name)
		if strings.Contains(path.Base(name), ".wh.") {
			return fmt.Errorf("%s: whiteouts are not supported", hdr.Name)
		}
		target := filepath.Join(dest, name)
		mode := fs.FileMode(hdr.Mode & 0o777)
		switch hdr.Typeflag {
		case tar.TypeDir:
			if err := os.MkdirAll(target, mode); err != nil {
				return err
			}
		case tar.TypeReg:
			_ = os.Remove(target)
			f, err := os.OpenFile(target, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, mode)
			if err != nil {
				return err
			}
			if _, err := io.Copy(f, tr); err != nil {
				f.Close()
				return err
			}
			if err := f.Close(); err != nil {
				return err
			}
		case tar.TypeSymlink:
			_ = os.Remove(target)
			if err := os.Symlink(hdr.Linkname, target); err != nil {
				return err
			}
		case tar.TypeLink:
			_ = os.Remove(target)
			if err := os.Link(filepath.Join(dest, path.Clean("/"+hdr.Linkname)), target); err != nil {
				return err
			}
		default:
			return fmt.Errorf("%s: unsupported entry type %q", hdr.Name, hdr.Typeflag)
		}
		// Chmod after creation: the umask must not change what the image says.
		if hdr.Typeflag == tar.TypeDir || hdr.Typeflag == tar.TypeReg {
			special := fs.FileMode(0)
			if hdr.Mode&0o4000 != 0 {
				special |= fs.ModeSetuid
			}
			if hdr.Mode&0o2000 != 0 {
				special |= fs.ModeSetgid
			}
			if hdr.Mode&0o1000 != 0 {
				special |= fs.ModeSticky
			}
			if err := os.Chmod(target, mode|special); err != nil {
				return err
			}
		}
	}
}
