package rootfs

import (
	"debug/elf"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// maxLibraries bounds the libraries of one executable.
const maxLibraries = 1000

// Search says where shared libraries are looked for once an object's own
// DT_RPATH and DT_RUNPATH have not had them.
type Search struct {
	// Conf are the directories of /etc/ld.so.conf, in order: the loader's
	// cache is built from them.
	Conf []string
	// Default are the loader's own directories, searched last; nil stands
	// for DefaultDirs of the executable's class and machine.
	Default []string
}

// HostSearch is the search of this machine: the directories of
// /etc/ld.so.conf, then the loader's defaults.
func HostSearch() (Search, error) {
	dirs, err := LoadConf("/etc/ld.so.conf")
	if err != nil {
		return Search{}, fmt.Errorf("ld.so.conf: %w", err)
	}
	return Search{Conf: dirs}, nil
}

// triplets are the Debian multiarch directory names of the machines.
var triplets = map[elf.Machine]string{
	elf.EM_X86_64:  "x86_64-linux-gnu",
	elf.EM_AARCH64: "aarch64-linux-gnu",
	elf.EM_386:     "i386-linux-gnu",
	elf.EM_ARM:     "arm-linux-gnueabihf",
	elf.EM_PPC64:   "powerpc64le-linux-gnu",
	elf.EM_S390:    "s390x-linux-gnu",
	elf.EM_RISCV:   "riscv64-linux-gnu",
}

// DefaultDirs are the dynamic loader's own directories for executables of
// class and machine on Debian: the multiarch ones, the 64-bit ones of
// other distributions, then /lib and /usr/lib.
func DefaultDirs(class elf.Class, machine elf.Machine) []string {
	var dirs []string
	if t, ok := triplets[machine]; ok {
		dirs = append(dirs, "/lib/"+t, "/usr/lib/"+t)
	}
	if class == elf.ELFCLASS64 {
		dirs = append(dirs, "/lib64", "/usr/lib64")
	}
	return append(dirs, "/lib", "/usr/lib")
}

// Deps is what the dynamic loader loads to run an executable.
type Deps struct {
	// Interpreter is the program interpreter (PT_INTERP), "" for a
	// statically linked executable.
	Interpreter string
	// Libraries are the shared libraries it needs, directly or not, each
	// once, in the order the loader finds them (breadth first).
	Libraries []Library
}

// Static reports whether the executable runs on its own.
func (d Deps) Static() bool { return d.Interpreter == "" && len(d.Libraries) == 0 }

// Library is one shared library.
type Library struct {
	// Name is the library as DT_NEEDED names it, e.g. libc.so.6.
	Name string
	// Path is where it was found, e.g. /lib/x86_64-linux-gnu/libc.so.6:
	// the directory searched and the name, symbolic links not resolved.
	Path string
	// NeededBy is the path of the first object found to need it.
	NeededBy string
}

// object is what the search needs of one ELF file.
type object struct {
	path           string
	soname         string
	needed         []string
	rpath, runpath []string // $ORIGIN expanded
}

// Resolve finds what the ELF executable at path needs to run on this
// machine: its program interpreter, which must exist, and its shared
// libraries. For each DT_NEEDED name not found yet, the directories are
// searched in the loader's order: the needing object's DT_RPATH and the
// executable's (unless they have a DT_RUNPATH), the needing object's
// DT_RUNPATH, s.Conf, then the defaults; a file there counts only if it
// is an ELF file of the executable's class and machine. A name with a '/'
// is a path. Entries of DT_RPATH and DT_RUNPATH with a '$' other than
// $ORIGIN are skipped.
func Resolve(path string, s Search) (Deps, error) {
	f, err := elf.Open(path)
	if err != nil {
		return Deps{}, fmt.Errorf("%s: not an ELF executable: %w", path, err)
	}
	defer f.Close()
	if f.Type != elf.ET_EXEC && f.Type != elf.ET_DYN {
		return Deps{}, fmt.Errorf("%s: not an executable (%v)", path, f.Type)
	}
	// A library is loaded once: a name already found, or the soname of an
	// object already loaded (the interpreter's included), is not looked
	// for again.
	found := map[string]bool{}
	var d Deps
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			if d.Interpreter, err = readInterp(p); err != nil {
				return Deps{}, fmt.Errorf("%s: program interpreter: %w", path, err)
			}
			soname, err := readSoname(d.Interpreter)
			if err != nil {
				return Deps{}, fmt.Errorf("%s: program interpreter: %w", path, err)
			}
			found[soname] = true
		}
	}
	// $ORIGIN of the executable is where the kernel finds it.
	origin := path
	if real, err := filepath.EvalSymlinks(path); err == nil {
		origin = real
	}
	exe, err := readObject(f, path, filepath.Dir(origin))
	if err != nil {
		return Deps{}, err
	}
	def := s.Default
	if def == nil {
		def = DefaultDirs(f.Class, f.Machine)
	}
	for queue := []object{exe}; len(queue) > 0; queue = queue[1:] {
		obj := queue[0]
		for _, name := range obj.needed {
			if found[name] {
				continue
			}
			found[name] = true
			if len(d.Libraries) == maxLibraries {
				return Deps{}, fmt.Errorf("%s: needs more than %d libraries", path, maxLibraries)
			}
			dirs := searchDirs(obj, exe, s.Conf, def)
			lib, err := find(name, dirs, f.Class, f.Machine)
			if err != nil {
				return Deps{}, fmt.Errorf("%s (needed by %s): %w", name, obj.path, err)
			}
			d.Libraries = append(d.Libraries, Library{Name: name, Path: lib.path, NeededBy: obj.path})
			found[lib.soname] = true
			queue = append(queue, lib)
		}
	}
	return d, nil
}

// searchDirs lists the directories to look for a library obj needs in.
func searchDirs(obj, exe object, conf, def []string) []string {
	var dirs []string
	if len(obj.runpath) == 0 {
		dirs = append(dirs, obj.rpath...)
		if obj.path != exe.path && len(exe.runpath) == 0 {
			dirs = append(dirs, exe.rpath...)
		}
	}
	dirs = append(dirs, obj.runpath...)
	dirs = append(dirs, conf...)
	return append(dirs, def...)
}

// errNotFound says that no directory held the library.
var errNotFound = errors.New("not found")

// find looks for name in dirs and reads the first match of the wanted
// class and machine.
func find(name string, dirs []string, class elf.Class, machine elf.Machine) (object, error) {
	candidates := dirs
	if strings.Contains(name, "/") {
		candidates = []string{""}
	}
	for _, dir := range candidates {
		p := name
		if dir != "" {
			p = filepath.Join(dir, name)
		}
		obj, ok, err := openLibrary(p, class, machine)
		if err != nil {
			return object{}, err
		}
		if ok {
			return obj, nil
		}
	}
	if strings.Contains(name, "/") {
		return object{}, errNotFound
	}
	return object{}, fmt.Errorf("%w in %s", errNotFound, strings.Join(dirs, ":"))
}

// openLibrary reads the library at p if it is a regular ELF file of the
// wanted class and machine; ok is false if there is none such.
func openLibrary(p string, class elf.Class, machine elf.Machine) (obj object, ok bool, err error) {
	st, err := os.Stat(p)
	if err != nil || !st.Mode().IsRegular() {
		return object{}, false, nil
	}
	f, err := elf.Open(p)
	if err != nil {
		return object{}, false, nil // not an ELF file: the loader skips it too
	}
	defer f.Close()
	if f.Class != class || f.Machine != machine {
		return object{}, false, nil
	}
	obj, err = readObject(f, p, filepath.Dir(p))
	return obj, err == nil, err
}

// readObject reads what the search needs of f, found at path; origin is
// the value of $ORIGIN in its search paths.
func readObject(f *elf.File, path, origin string) (object, error) {
	obj := object{path: path}
	var err error
	if obj.needed, err = f.DynString(elf.DT_NEEDED); err != nil {
		return obj, fmt.Errorf("%s: %w", path, err)
	}
	if obj.soname, err = soname(f); err != nil {
		return obj, fmt.Errorf("%s: %w", path, err)
	}
	for _, p := range []struct {
		tag elf.DynTag
		dst *[]string
	}{{elf.DT_RPATH, &obj.rpath}, {elf.DT_RUNPATH, &obj.runpath}} {
		vals, err := f.DynString(p.tag)
		if err != nil {
			return obj, fmt.Errorf("%s: %w", path, err)
		}
		for _, v := range vals {
			*p.dst = append(*p.dst, SplitPath(v, origin)...)
		}
	}
	return obj, nil
}

// soname returns f's DT_SONAME, or "".
func soname(f *elf.File) (string, error) {
	names, err := f.DynString(elf.DT_SONAME)
	if err != nil || len(names) == 0 {
		return "", err
	}
	return names[0], nil
}

// readSoname returns the DT_SONAME of the ELF file at path ("" if none).
func readSoname(path string) (string, error) {
	f, err := elf.Open(path) // its errors name path
	if err != nil {
		return "", err
	}
	defer f.Close()
	return soname(f)
}

// SplitPath splits a DT_RPATH or DT_RUNPATH value into directories, with
// $ORIGIN and ${ORIGIN} replaced by origin. Empty entries, relative ones
// and those with another '$' token are dropped.
func SplitPath(v, origin string) []string {
	var dirs []string
	drop := strings.NewReplacer("${ORIGIN}", "", "$ORIGIN", "")
	expand := strings.NewReplacer("${ORIGIN}", origin, "$ORIGIN", origin)
	for _, e := range strings.Split(v, ":") {
		// Only the entry's own tokens count: origin may hold a '$'.
		if strings.Contains(drop.Replace(e), "$") {
			continue
		}
		if e = expand.Replace(e); e == "" || !filepath.IsAbs(e) {
			continue
		}
		dirs = append(dirs, filepath.Clean(e))
	}
	return dirs
}

// readInterp returns the path in a PT_INTERP segment.
func readInterp(p *elf.Prog) (string, error) {
	if p.Filesz == 0 || p.Filesz > 4096 {
		return "", fmt.Errorf("segment of %d bytes", p.Filesz)
	}
	b := make([]byte, p.Filesz)
	if _, err := p.ReadAt(b, 0); err != nil {
		return "", err
	}
	s, _, _ := strings.Cut(string(b), "\x00")
	if !filepath.IsAbs(s) {
		return "", fmt.Errorf("%q is not an absolute path", s)
	}
	return s, nil
}
