package docker

import (
	"archive/tar"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/specialvfx/vfx/internal/provider/docker/rootfs"
)

// imageRepo is the repository of the worker images; the tag is a hash of
// their content.
const imageRepo = "vfx-worker"

// containerPort is the port the worker listens on inside its container.
const containerPort = "8000"

// binaryPath is where the vfx binary is in the image.
const binaryPath = "/vfx"

// maxContext bounds the files put into an image.
const maxContext = 512 << 20

// imageSpec is a worker image to make: FROM scratch, the vfx binary at
// /vfx and, for a dynamically linked one, its program interpreter and
// shared libraries at the paths the loader finds them on this machine.
// The engine imports it as one layer (the root file system, as a tar
// archive) with its configuration given as Dockerfile instructions
// (changes): no builder, no intermediate images.
type imageSpec struct {
	binary  string      // the host binary
	deps    rootfs.Deps // what it needs besides itself
	changes []string    // ENV, EXPOSE, ENTRYPOINT, CMD
	entries []entry     // of the root file system, in order
	size    int64       // bytes of the files
	tag     string      // vfx-worker:<first 16 hex digits of the content's sha256>
}

// imageFile is one file of the image, read from the host.
type imageFile struct {
	path string // in the image
	src  string // on the host
}

// entry is one entry of the root file system's archive: a file or a
// directory.
type entry struct {
	name string // in the archive: the path in the image without its leading /
	dir  bool
	src  string // the host file
}

// newImageSpec finds what binary needs (with search) and the image's tag,
// a hash of its configuration and of the files' paths and contents; the
// files are read again, and checked against the tag, by rootFS.
func newImageSpec(binary string, search rootfs.Search) (imageSpec, error) {
	deps, err := rootfs.Resolve(binary, search)
	if err != nil {
		return imageSpec{}, err
	}
	files := []imageFile{{path: binaryPath, src: binary}}
	if deps.Interpreter != "" {
		files = append(files, imageFile{path: deps.Interpreter, src: deps.Interpreter})
	}
	var libDirs []string
	for _, l := range deps.Libraries {
		files = append(files, imageFile{path: path.Clean(l.Path), src: l.Path})
		if d := path.Dir(path.Clean(l.Path)); !slices.Contains(libDirs, d) {
			libDirs = append(libDirs, d)
		}
	}
	changes, err := imageChanges(libDirs)
	if err != nil {
		return imageSpec{}, err
	}
	entries, err := rootEntries(files)
	if err != nil {
		return imageSpec{}, err
	}
	h := sha256.New()
	for _, c := range changes {
		fmt.Fprintf(h, "%s\n", c)
	}
	size, err := writeRoot(entries, h, nil)
	if err != nil {
		return imageSpec{}, err
	}
	return imageSpec{
		binary:  binary,
		deps:    deps,
		changes: changes,
		entries: entries,
		size:    size,
		tag:     imageRepo + ":" + hex.EncodeToString(h.Sum(nil))[:16],
	}, nil
}

// rootFS streams the root file system as a tar archive, reading the files
// as it goes; the stream fails if they have changed since the tag was
// computed. Close it when done.
func (s imageSpec) rootFS() io.ReadCloser {
	r, w := io.Pipe()
	go func() {
		h := sha256.New()
		for _, c := range s.changes {
			fmt.Fprintf(h, "%s\n", c)
		}
		_, err := writeRoot(s.entries, h, tar.NewWriter(w))
		if err == nil && imageRepo+":"+hex.EncodeToString(h.Sum(nil))[:16] != s.tag {
			err = fmt.Errorf("the files of image %s changed while it was prepared (%s was replaced?)", s.tag, s.binary)
		}
		w.CloseWithError(err)
	}()
	return r
}

// imageChanges is the image's configuration, as the Dockerfile
// instructions an import applies: LD_LIBRARY_PATH naming the directories
// of the libraries (an image has no loader cache), the worker's port, its
// command.
func imageChanges(libDirs []string) ([]string, error) {
	var changes []string
	if len(libDirs) > 0 {
		v := strings.Join(libDirs, ":")
		if strings.ContainsAny(v, "\n\r") {
			return nil, fmt.Errorf("library directory %q: a line break cannot be put in an image's configuration", v)
		}
		esc := strings.NewReplacer(`\`, `\\`, `"`, `\"`, `$`, `\$`)
		changes = append(changes, fmt.Sprintf("ENV LD_LIBRARY_PATH=\"%s\"", esc.Replace(v)))
	}
	return append(changes,
		"EXPOSE "+containerPort,
		fmt.Sprintf("ENTRYPOINT [%q, \"worker\"]", binaryPath),
		fmt.Sprintf("CMD [\"--listen\", \":%s\"]", containerPort),
	), nil
}

// rootEntries lays out the root file system: the files with their
// directories, sorted (a directory before what it holds).
func rootEntries(files []imageFile) ([]entry, error) {
	entries := map[string]entry{}
	for _, f := range files {
		if !path.IsAbs(f.path) || path.Clean(f.path) == "/" {
			return nil, fmt.Errorf("image path %q is not an absolute file path", f.path)
		}
		name := strings.TrimPrefix(path.Clean(f.path), "/")
		if _, dup := entries[name]; dup {
			return nil, fmt.Errorf("two files for %s in the image", f.path)
		}
		entries[name] = entry{name: name, src: f.src}
	}
	for _, f := range files {
		for d := path.Dir(strings.TrimPrefix(path.Clean(f.path), "/")); d != "."; d = path.Dir(d) {
			if other, ok := entries[d]; ok && !other.dir {
				return nil, fmt.Errorf("/%s is both a file and a directory in the image", d)
			}
			entries[d] = entry{name: d, dir: true}
		}
	}
	out := make([]entry, 0, len(entries))
	for _, e := range entries {
		out = append(out, e)
	}
	slices.SortFunc(out, func(a, b entry) int { return strings.Compare(a.name, b.name) })
	return out, nil
}

// writeRoot reads the entries' files, hashes their names, sizes and
// contents into h and returns the bytes of the files; with tw, it also
// writes them as a tar archive with fixed times, owners and modes, so that
// the same files give the same archive. Files are streamed, not held in
// memory.
func writeRoot(entries []entry, h io.Writer, tw *tar.Writer) (size int64, err error) {
	for _, e := range entries {
		if err := writeEntry(e, h, tw, &size); err != nil {
			return 0, err
		}
	}
	if tw != nil {
		if err := tw.Close(); err != nil {
			return 0, err
		}
	}
	return size, nil
}

// writeEntry hashes e into h, adds it to tw (if any) and its file's bytes
// to size.
func writeEntry(e entry, h io.Writer, tw *tar.Writer, size *int64) error {
	var (
		src io.Reader
		n   int64
	)
	if !e.dir {
		f, err := os.Open(e.src)
		if err != nil {
			return err
		}
		defer f.Close()
		st, err := f.Stat()
		if err != nil {
			return err
		}
		if !st.Mode().IsRegular() {
			return fmt.Errorf("%s is not a regular file", e.src)
		}
		n, src = st.Size(), f
		if *size += n; *size > maxContext {
			return fmt.Errorf("the image's files are more than %d bytes", maxContext)
		}
	}
	fmt.Fprintf(h, "%s\x00%t\x00%d\x00", e.name, e.dir, n)
	if tw != nil {
		// Readable and executable by the container's user (the caller's).
		hdr := &tar.Header{Name: e.name, Mode: 0o755, ModTime: time.Unix(0, 0), Typeflag: tar.TypeReg, Size: n}
		if e.dir {
			hdr.Name, hdr.Typeflag = e.name+"/", tar.TypeDir
		}
		if err := tw.WriteHeader(hdr); err != nil {
			return err
		}
		h = io.MultiWriter(h, tw)
	}
	if e.dir {
		return nil
	}
	copied, err := io.Copy(h, io.LimitReader(src, n+1))
	if err == nil && copied != n {
		err = fmt.Errorf("%s changed while it was read", e.src)
	}
	return err
}
