package trace

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
)

// Format is how a trace file is written.
type Format string

// The file formats.
const (
	JSONL Format = "jsonl" // one JSON object per line
	CSV   Format = "csv"   // a header row, then one row per entry
)

// FormatOf is the format named by a file name's extension: .csv is CSV,
// anything else JSON Lines.
func FormatOf(path string) Format {
	if strings.HasSuffix(strings.ToLower(path), ".csv") {
		return CSV
	}
	return JSONL
}

// Writer writes entries one at a time, so a long run is written as it
// goes. Close flushes it (it does not close the underlying writer).
type Writer struct {
	format Format
	bw     *bufio.Writer
	cw     *csv.Writer
	enc    *json.Encoder
	header bool
}

// NewWriter returns a writer of the format to w.
func NewWriter(w io.Writer, format Format) (*Writer, error) {
	tw := &Writer{format: format, bw: bufio.NewWriter(w)}
	switch format {
	case JSONL:
		tw.enc = json.NewEncoder(tw.bw)
	case CSV:
		tw.cw = csv.NewWriter(tw.bw)
	default:
		return nil, fmt.Errorf("trace format %q: want jsonl or csv", format)
	}
	return tw, nil
}

// Write appends one entry.
func (w *Writer) Write(e Entry) error {
	if w.format == JSONL {
		return w.enc.Encode(e)
	}
	if !w.header {
		w.header = true
		if err := w.cw.Write(Header()); err != nil {
			return err
		}
	}
	return w.cw.Write(csvRecord(&e))
}

// Close flushes what was written; a CSV trace with no entry still gets its
// header row.
func (w *Writer) Close() error {
	if w.format == CSV {
		if !w.header {
			w.header = true
			if err := w.cw.Write(Header()); err != nil {
				return err
			}
		}
		w.cw.Flush()
		if err := w.cw.Error(); err != nil {
			return err
		}
	}
	return w.bw.Flush()
}

// WriteFile writes entries to path in the format its extension names.
func WriteFile(path string, entries []Entry) (err error) {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("write trace: %w", err)
	}
	defer func() {
		if cerr := f.Close(); err == nil && cerr != nil {
			err = fmt.Errorf("write trace %s: %w", path, cerr)
		}
	}()
	w, err := NewWriter(f, FormatOf(path))
	if err != nil {
		return err
	}
	for _, e := range entries {
		if err := w.Write(e); err != nil {
			return fmt.Errorf("write trace %s: %w", path, err)
		}
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("write trace %s: %w", path, err)
	}
	return nil
}

// Limits bound what Read accepts.
type Limits struct {
	MaxEntries int // default 10,000,000
	MaxLine    int // bytes of one line, default 1 MiB
}

func (l Limits) orDefault() Limits {
	if l.MaxEntries <= 0 {
		l.MaxEntries = 10_000_000
	}
	if l.MaxLine <= 0 {
		l.MaxLine = 1 << 20
	}
	return l
}

// Read reads a trace in either format: CSV when its first line is the
// header row (it starts with "seq,"), JSON Lines otherwise. Every entry is
// validated; an error names the line. Blank lines of a JSON Lines trace
// are skipped.
func Read(r io.Reader, lim Limits) ([]Entry, error) {
	lim = lim.orDefault()
	br := bufio.NewReaderSize(r, 64<<10)
	head, _ := br.Peek(4)
	if bytes.Equal(head, []byte("seq,")) {
		return readCSV(br, lim)
	}
	return readJSONL(br, lim)
}

// ReadFile reads the trace at path.
func ReadFile(path string, lim Limits) ([]Entry, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read trace: %w", err)
	}
	defer f.Close()
	entries, err := Read(f, lim)
	if err != nil {
		return nil, fmt.Errorf("read trace %s: %w", path, err)
	}
	return entries, nil
}

func readJSONL(r io.Reader, lim Limits) ([]Entry, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), lim.MaxLine)
	var out []Entry
	for line := 1; sc.Scan(); line++ {
		b := bytes.TrimSpace(sc.Bytes())
		if len(b) == 0 {
			continue
		}
		if len(out) == lim.MaxEntries {
			return nil, fmt.Errorf("line %d: more than %d entries", line, lim.MaxEntries)
		}
		var e Entry
		if err := json.Unmarshal(b, &e); err != nil {
			return nil, fmt.Errorf("line %d: %w", line, err)
		}
		if err := e.Validate(); err != nil {
			return nil, fmt.Errorf("line %d: %w", line, err)
		}
		out = append(out, e)
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return nil, fmt.Errorf("a line is longer than %d bytes", lim.MaxLine)
		}
		return nil, err
	}
	return out, nil
}

func readCSV(r io.Reader, lim Limits) ([]Entry, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	header, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("line 1: %w", err)
	}
	names := Header()
	index := make([]int, len(header))
	for i, h := range header {
		index[i] = slices.Index(names, strings.TrimSpace(h))
	}
	if !slices.Contains(index, slices.Index(names, "workload")) {
		return nil, errors.New("line 1: the header has no workload column")
	}
	var out []Entry
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, err // a *csv.ParseError names its line
		}
		line, _ := cr.FieldPos(0)
		if len(out) == lim.MaxEntries {
			return nil, fmt.Errorf("line %d: more than %d entries", line, lim.MaxEntries)
		}
		e, err := fromCSV(rec, index)
		if err == nil {
			err = e.Validate()
		}
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", line, err)
		}
		out = append(out, e)
	}
}
