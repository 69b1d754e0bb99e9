package local

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
)

// maxRecordSize bounds a state file; anything larger is not ours.
const maxRecordSize = 64 << 10

// idPrefix starts every worker id: local-1, local-2, ...
const idPrefix = "local-"

// record is the content of StateDir/local/<id>.json.
type record struct {
	ID         string    `json:"id"`
	PID        int       `json:"pid"`
	Address    string    `json:"address"`
	LaunchedAt time.Time `json:"launched_at"`
	Binary     string    `json:"binary"`
}

// parseRecord decodes and checks a state file's content.
func parseRecord(b []byte) (record, error) {
	var r record
	if len(b) > maxRecordSize {
		return r, fmt.Errorf("state file is %d bytes, limit %d", len(b), maxRecordSize)
	}
	if err := json.Unmarshal(b, &r); err != nil {
		return r, fmt.Errorf("state file: %w", err)
	}
	var errs []error
	if _, ok := idNumber(r.ID); !ok {
		errs = append(errs, fmt.Errorf("id %q is not %sN", r.ID, idPrefix))
	}
	if r.PID <= 1 {
		errs = append(errs, fmt.Errorf("pid %d is not a worker's", r.PID))
	}
	if !strings.HasPrefix(r.Address, "http://127.0.0.1:") {
		errs = append(errs, fmt.Errorf("address %q is not http://127.0.0.1:PORT", r.Address))
	} else if p, err := strconv.Atoi(strings.TrimPrefix(r.Address, "http://127.0.0.1:")); err != nil || p < 1 || p > 65535 {
		errs = append(errs, fmt.Errorf("address %q has no valid port", r.Address))
	}
	if !filepath.IsAbs(r.Binary) {
		errs = append(errs, fmt.Errorf("binary %q is not an absolute path", r.Binary))
	}
	if err := errors.Join(errs...); err != nil {
		return r, fmt.Errorf("state file: %w", err)
	}
	return r, nil
}

// idNumber returns N of "local-N".
func idNumber(id string) (int, bool) {
	s, ok := strings.CutPrefix(id, idPrefix)
	if !ok || s == "" || len(s) > 9 || s[0] == '0' {
		return 0, false
	}
	n, err := strconv.Atoi(s)
	return n, err == nil && n > 0
}

// stateFiles manages StateDir/local and StateDir/logs.
type stateFiles struct {
	dir, logDir string
	nextMu      *sync.Mutex // serialises saveNext
}

func newStateFiles(stateDir string) (stateFiles, error) {
	s := stateFiles{dir: filepath.Join(stateDir, "local"), logDir: filepath.Join(stateDir, "logs"), nextMu: &sync.Mutex{}}
	for _, d := range []string{s.dir, s.logDir} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return s, fmt.Errorf("state dir: %w", err)
		}
	}
	return s, nil
}

func (s stateFiles) path(id string) string    { return filepath.Join(s.dir, id+".json") }
func (s stateFiles) logPath(id string) string { return filepath.Join(s.logDir, id+".log") }

// reserve claims the first free id from local-<from> on by creating its
// state file exclusively (empty until write), so that two providers on the
// same directory never pick the same id.
func (s stateFiles) reserve(from int) (string, int, error) {
	if from < 1 {
		from = 1
	}
	for n := from; n < from+100000; n++ {
		id := idPrefix + strconv.Itoa(n)
		f, err := os.OpenFile(s.path(id), os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		if err != nil {
			return "", 0, fmt.Errorf("reserve worker id: %w", err)
		}
		if err := f.Close(); err != nil {
			return "", 0, fmt.Errorf("reserve worker id: %w", err)
		}
		s.saveNext(n + 1)
		return id, n, nil
	}
	return "", 0, errors.New("reserve worker id: no free id")
}

// nextFile remembers the next id number, so that the id of a worker that
// is gone is not given to another one (its records and log stay its own).
const nextFile = "next-id"

// loadNext returns the remembered next id number (1 if none).
func (s stateFiles) loadNext() int {
	b, err := os.ReadFile(filepath.Join(s.dir, nextFile))
	if err != nil || len(b) > 32 {
		return 1
	}
	n, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil || n < 1 {
		return 1
	}
	return n
}

// saveNext raises the remembered next id number to n. Parallel launches
// take turns here, so that a lower number never replaces a higher one;
// one provider at a time owns the state directory. (Were two to race
// here, an id could at worst be reused later, never shared: ids are
// claimed by exclusive creation of their state file.)
func (s stateFiles) saveNext(n int) {
	s.nextMu.Lock()
	defer s.nextMu.Unlock()
	if n <= s.loadNext() {
		return
	}
	path := filepath.Join(s.dir, nextFile)
	tmp := path + "." + strconv.Itoa(os.Getpid()) + ".tmp"
	if err := os.WriteFile(tmp, []byte(strconv.Itoa(n)+"\n"), 0o644); err != nil {
		return
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
	}
}

// write replaces id's state file atomically.
func (s stateFiles) write(r record) error {
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(s.dir, "."+r.ID+".*.tmp")
	if err != nil {
		return fmt.Errorf("write state of %s: %w", r.ID, err)
	}
	_, werr := tmp.Write(append(b, '\n'))
	cerr := tmp.Close()
	if err := errors.Join(werr, cerr); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("write state of %s: %w", r.ID, err)
	}
	if err := os.Rename(tmp.Name(), s.path(r.ID)); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("write state of %s: %w", r.ID, err)
	}
	return nil
}

// remove deletes id's state file; a missing file is not an error.
func (s stateFiles) remove(id string) error {
	if err := os.Remove(s.path(id)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("remove state of %s: %w", id, err)
	}
	return nil
}

// entry is one file found in the state directory.
type entry struct {
	id      string
	rec     record
	err     error // the file could not be read or parsed
	modTime time.Time
}

// scan reads every <id>.json of the state directory.
func (s stateFiles) scan() ([]entry, error) {
	des, err := os.ReadDir(s.dir)
	if err != nil {
		return nil, fmt.Errorf("read state dir: %w", err)
	}
	var out []entry
	for _, de := range des {
		name := de.Name()
		id, ok := strings.CutSuffix(name, ".json")
		if !ok || de.IsDir() {
			continue
		}
		if _, ok := idNumber(id); !ok {
			continue
		}
		e := entry{id: id}
		if info, err := de.Info(); err == nil {
			e.modTime = info.ModTime()
		}
		e.rec, e.err = readRecord(s.path(id))
		if e.err == nil && e.rec.ID != id {
			e.err = fmt.Errorf("state file %s names id %q", name, e.rec.ID)
		}
		out = append(out, e)
	}
	return out, nil
}

func readRecord(path string) (record, error) {
	f, err := os.Open(path)
	if err != nil {
		return record{}, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxRecordSize+1))
	if err != nil {
		return record{}, err
	}
	return parseRecord(b)
}

// logTail returns up to the last n lines of id's log, for error messages.
func (s stateFiles) logTail(id string, n int) string {
	f, err := os.Open(s.logPath(id))
	if err != nil {
		return ""
	}
	defer f.Close()
	const max = 4 << 10
	if st, err := f.Stat(); err == nil && st.Size() > max {
		if _, err := f.Seek(st.Size()-max, io.SeekStart); err != nil {
			return ""
		}
	}
	b, _ := io.ReadAll(io.LimitReader(f, max))
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
