package loadgen

import (
	"fmt"
	"os"

	"github.com/specialvfx/vfx/internal/trace"
)

// TraceFile is a Sink that writes a run's trace to a file as it goes, in
// the format its name gives (trace.FormatOf: CSV for .csv, JSON Lines
// otherwise).
type TraceFile struct {
	path string
	f    *os.File
	w    *trace.Writer
}

// CreateTrace creates (or truncates) the trace file at path.
func CreateTrace(path string) (*TraceFile, error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err // names the path
	}
	w, err := trace.NewWriter(f, trace.FormatOf(path))
	if err != nil {
		f.Close()
		return nil, err
	}
	return &TraceFile{path: path, f: f, w: w}, nil
}

// Write appends one entry.
func (t *TraceFile) Write(e trace.Entry) error { return t.w.Write(e) }

// Close flushes the trace and closes the file.
func (t *TraceFile) Close() error {
	err := t.w.Close()
	if cerr := t.f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("trace %s: %w", t.path, err)
	}
	return nil
}
