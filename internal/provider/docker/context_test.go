package docker

import (
	"archive/tar"
	"bytes"
	"context"
	"crypto/sha256"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/specialvfx/vfx/internal/provider/docker/rootfs"
)

// tarEntry is one entry of a root file system's archive.
type tarEntry struct {
	mode int64
	dir  bool
	sum  [sha256.Size]byte // of the data
}

// readRoot reads a root file system's archive: its entries in order, and
// by name.
func readRoot(t *testing.T, r io.Reader) (names []string, entries map[string]tarEntry) {
	t.Helper()
	entries = map[string]tarEntry{}
	tr := tar.NewReader(r)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return names, entries
		}
		if err != nil {
			t.Fatal(err)
		}
		hash := sha256.New()
		if _, err := io.Copy(hash, tr); err != nil {
			t.Fatal(err)
		}
		if h.Uid != 0 || h.Gid != 0 || !h.ModTime.Equal(time.Unix(0, 0)) {
			t.Errorf("%s: owner %d:%d, time %v; want fixed", h.Name, h.Uid, h.Gid, h.ModTime)
		}
		names = append(names, h.Name)
		entries[h.Name] = tarEntry{mode: h.Mode, dir: h.Typeflag == tar.TypeDir, sum: [sha256.Size]byte(hash.Sum(nil))}
	}
}

// readSpec reads the root file system of spec.
func readSpec(t *testing.T, spec imageSpec) (names []string, entries map[string]tarEntry) {
	t.Helper()
	rc := spec.rootFS()
	defer rc.Close()
	return readRoot(t, rc)
}

// buildRoot lays out and writes the root file system of files.
func buildRoot(files []imageFile) ([]byte, int64, error) {
	entries, err := rootEntries(files)
	if err != nil {
		return nil, 0, err
	}
	var buf bytes.Buffer
	size, err := writeRoot(entries, io.Discard, tar.NewWriter(&buf))
	return buf.Bytes(), size, err
}

// fileSum is the sha256 of a file's content.
func fileSum(t *testing.T, path string) [sha256.Size]byte {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		t.Fatal(err)
	}
	return [sha256.Size]byte(h.Sum(nil))
}

func TestRootFS(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	bin, lib, interp := write("vfx", "binary"), write("libc.so.6", "libc"), write("ld.so", "loader")
	files := []imageFile{{path: "/vfx", src: bin}, {path: "/lib/x86_64-linux-gnu/libc.so.6", src: lib}, {path: "/lib64/ld.so", src: interp}}
	b, size, err := buildRoot(files)
	if err != nil {
		t.Fatal(err)
	}
	names, entries := readRoot(t, bytes.NewReader(b))
	want := "lib/ lib/x86_64-linux-gnu/ lib/x86_64-linux-gnu/libc.so.6 lib64/ lib64/ld.so vfx"
	if strings.Join(names, " ") != want {
		t.Errorf("entries %q;\nwant %s", names, want)
	}
	if size != int64(len("binary")+len("libc")+len("loader")) {
		t.Errorf("size %d", size)
	}
	for name, e := range entries {
		if e.mode != 0o755 { // readable and executable by the container's user
			t.Errorf("%s: mode %o; want 755", name, e.mode)
		}
	}
	if entries["vfx"].sum != sha256.Sum256([]byte("binary")) || entries["lib64/ld.so"].sum != sha256.Sum256([]byte("loader")) {
		t.Errorf("contents %+v", entries)
	}
	// The same files give the same bytes, whatever their order.
	again, _, err := buildRoot([]imageFile{files[2], files[0], files[1]})
	if err != nil || !bytes.Equal(again, b) {
		t.Errorf("a second archive of the same files differs (%v)", err)
	}

	for _, tt := range []struct {
		name   string
		files  []imageFile
		errHas string
	}{
		{name: "two files at one path", files: []imageFile{{path: "/vfx", src: bin}, {path: "/vfx", src: lib}}, errHas: "two files for /vfx"},
		{name: "a file where a directory goes", files: []imageFile{{path: "/lib", src: lib}, {path: "/lib/libc.so.6", src: lib}}, errHas: "/lib is both a file and a directory"},
		{name: "relative path", files: []imageFile{{path: "vfx", src: bin}}, errHas: "not an absolute file path"},
		{name: "root", files: []imageFile{{path: "/", src: bin}}, errHas: "not an absolute file path"},
		{name: "missing file", files: []imageFile{{path: "/vfx", src: filepath.Join(dir, "none")}}, errHas: "no such file"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if _, _, err := buildRoot(tt.files); err == nil || !strings.Contains(err.Error(), tt.errHas) {
				t.Errorf("buildRoot = %v; want an error with %q", err, tt.errHas)
			}
		})
	}
}

func TestImageChanges(t *testing.T) {
	changes, err := imageChanges(nil)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := strings.Join(changes, "\n"), "EXPOSE 8000\nENTRYPOINT [\"/vfx\", \"worker\"]\nCMD [\"--listen\", \":8000\"]"; got != want {
		t.Errorf("changes of a static binary:\n%s\nwant:\n%s", got, want)
	}
	changes, err = imageChanges([]string{"/lib/x86_64-linux-gnu", `/opt/a "b" $HOME\x`})
	if err != nil {
		t.Fatal(err)
	}
	if want := `ENV LD_LIBRARY_PATH="/lib/x86_64-linux-gnu:/opt/a \"b\" \$HOME\\x"`; changes[0] != want {
		t.Errorf("changes[0] = %s; want %s", changes[0], want)
	}
	if _, err := imageChanges([]string{"/a\nRUN x"}); err == nil {
		t.Error("a line break in a library directory: no error")
	}
}

// TestImageSpecOfDynamicBinary checks the image of the test's vfx, a
// dynamically linked executable: the binary, its interpreter and its
// libraries where the loader finds them, and LD_LIBRARY_PATH.
func TestImageSpecOfDynamicBinary(t *testing.T) {
	search, err := rootfs.HostSearch()
	if err != nil {
		t.Fatal(err)
	}
	deps := dynamicDeps(t, vfxBinary, search)
	spec := testSpec(t, vfxBinary)
	_, entries := readSpec(t, spec)
	if entries["vfx"].sum != fileSum(t, vfxBinary) {
		t.Error("/vfx is not the binary")
	}
	paths := []string{deps.Interpreter}
	for _, l := range deps.Libraries {
		paths = append(paths, l.Path)
	}
	for _, p := range paths {
		if e, ok := entries[strings.TrimPrefix(p, "/")]; !ok || e.sum != fileSum(t, p) {
			t.Errorf("the image lacks %s as on this machine", p)
		}
	}
	if !strings.HasPrefix(spec.changes[0], "ENV LD_LIBRARY_PATH=\""+filepath.Dir(deps.Libraries[0].Path)) {
		t.Errorf("changes without the libraries' directory: %q", spec.changes)
	}
	if !strings.HasPrefix(spec.tag, imageRepo+":") || len(spec.tag) != len(imageRepo)+1+16 {
		t.Errorf("tag %q: want vfx-worker:<16 hex>", spec.tag)
	}
	if st, err := os.Stat(vfxBinary); err != nil || spec.size <= st.Size() {
		t.Errorf("size %d is not more than the binary's (%v)", spec.size, err)
	}
}

// TestImageSpecOfChangedFiles checks that the tag follows the files: the
// same for the same files, another for others, and the root file system
// fails when its files changed since the tag was computed.
func TestImageSpecOfChangedFiles(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "vfx")
	b, err := os.ReadFile("/bin/true")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bin, b, 0o755); err != nil {
		t.Fatal(err)
	}
	spec, err := newImageSpec(bin, rootfs.Search{})
	if err != nil {
		t.Fatal(err)
	}
	readSpec(t, spec)
	if same, err := newImageSpec(bin, rootfs.Search{}); err != nil || same.tag != spec.tag {
		t.Errorf("tag of the same files %q, %v; want %q", same.tag, err, spec.tag)
	}
	if err := os.WriteFile(bin, append(b, 0), 0o755); err != nil {
		t.Fatal(err)
	}
	rc := spec.rootFS()
	defer rc.Close()
	if _, err := io.Copy(io.Discard, rc); err == nil || !strings.Contains(err.Error(), "changed while it was prepared") {
		t.Errorf("root file system of a replaced binary: %v", err)
	}
	again, err := newImageSpec(bin, rootfs.Search{})
	if err != nil || again.tag == spec.tag {
		t.Errorf("tag of another binary %q, %v; want other than %q", again.tag, err, spec.tag)
	}
}

// dynamicDeps resolves binary and fails unless it is dynamically linked.
func dynamicDeps(t *testing.T, binary string, search rootfs.Search) rootfs.Deps {
	t.Helper()
	deps, err := rootfs.Resolve(binary, search)
	if err != nil {
		t.Fatal(err)
	}
	if deps.Interpreter == "" || len(deps.Libraries) == 0 {
		t.Fatalf("%s is statically linked: these tests need the vfx that `go build` makes with cgo (a C compiler installed; VFX_TEST_BINARY, if set, built so)", binary)
	}
	return deps
}

// recorder is a slog handler that passes each message on a channel.
type recorder struct {
	mu   sync.Mutex
	msgs chan string
}

func (r *recorder) Enabled(context.Context, slog.Level) bool { return true }
func (r *recorder) Handle(_ context.Context, rec slog.Record) error {
	var b strings.Builder
	b.WriteString(rec.Message)
	rec.Attrs(func(a slog.Attr) bool { b.WriteString(" " + a.String()); return true })
	r.mu.Lock()
	defer r.mu.Unlock()
	select {
	case r.msgs <- b.String():
	default: // the test has read enough
	}
	return nil
}
func (r *recorder) WithAttrs([]slog.Attr) slog.Handler { return r }
func (r *recorder) WithGroup(string) slog.Handler      { return r }

func TestWatchBuild(t *testing.T) {
	t.Run("a long build says what it builds, then how long it takes", func(t *testing.T) {
		rec := &recorder{msgs: make(chan string, 100)}
		stop := watchBuild(slog.New(rec), time.Millisecond, time.Millisecond, "binary", "/usr/bin/vfx", "size", "23MB")
		if m := <-rec.msgs; m != "building worker image binary=/usr/bin/vfx size=23MB" {
			t.Errorf("first line %q", m)
		}
		for range 2 {
			if m := <-rec.msgs; !strings.HasPrefix(m, "still building worker image elapsed=") {
				t.Errorf("progress line %q", m)
			}
		}
		stop()
		stop()        // a second stop is harmless
		rec.mu.Lock() // no line after stop
		close(rec.msgs)
		rec.mu.Unlock()
		for m := range rec.msgs {
			if !strings.HasPrefix(m, "still building") {
				t.Errorf("line %q", m)
			}
		}
	})
	t.Run("a short build says nothing", func(t *testing.T) {
		rec := &recorder{msgs: make(chan string, 10)}
		stop := watchBuild(slog.New(rec), time.Hour, time.Millisecond)
		stop()
		if len(rec.msgs) != 0 {
			t.Errorf("logged %q", <-rec.msgs)
		}
	})
}
