package loadgen

import (
	"bufio"
	"os"
	"path/filepath"
	"strings"
)

// DefaultDataDir is where the presets look for the seed data unless told
// otherwise: relative to the working directory, then to the module root
// of the running executable.
const DefaultDataDir = "../shared/seed-data"

// modulePath is this module's path, as its go.mod names it.
const modulePath = "github.com/specialvfx/vfx"

// DataNotFoundError is FindData's error: no seed-data directory where it
// looked.
type DataNotFoundError struct {
	Looked []string // the directories tried, in order
}

func (e *DataNotFoundError) Error() string {
	return "no seed-data directory: looked in " + strings.Join(e.Looked, " and ")
}

// FindData returns the seed-data directory, made absolute: dir when it is
// given (it must be a directory); else DefaultDataDir relative to cwd,
// then relative to the module root of exe (the nearest directory above
// the executable whose go.mod is this module's), if there is one. A
// missing directory is a *DataNotFoundError naming every place tried.
func FindData(dir, cwd, exe string) (string, error) {
	var tries []string
	if dir != "" {
		tries = append(tries, absFrom(cwd, dir))
	} else {
		tries = append(tries, absFrom(cwd, DefaultDataDir))
		if root := moduleRoot(exe); root != "" {
			if p := filepath.Join(root, DefaultDataDir); p != tries[0] {
				tries = append(tries, p)
			}
		}
	}
	for _, p := range tries {
		if st, err := os.Stat(p); err == nil && st.IsDir() {
			return p, nil
		}
	}
	return "", &DataNotFoundError{Looked: tries}
}

func absFrom(cwd, p string) string {
	if filepath.IsAbs(p) {
		return filepath.Clean(p)
	}
	return filepath.Join(cwd, p)
}

// moduleRoot is the nearest directory at or above exe's directory whose
// go.mod declares this module, "" if none (a binary installed elsewhere).
func moduleRoot(exe string) string {
	if exe == "" {
		return ""
	}
	if real, err := filepath.EvalSymlinks(exe); err == nil {
		exe = real
	}
	for dir := filepath.Dir(exe); ; {
		if declaresModule(filepath.Join(dir, "go.mod")) {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}

// declaresModule reports whether the go.mod at path is this module's.
func declaresModule(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if fields := strings.Fields(sc.Text()); len(fields) == 2 && fields[0] == "module" {
			return strings.Trim(fields[1], `"`) == modulePath
		}
	}
	return false
}
