package trace

import (
	"fmt"
	"strconv"
	"time"

	"github.com/specialvfx/vfx/internal/workload"
)

// column is one CSV column: its header and how an entry's field is
// written and read.
type column struct {
	name  string
	write func(e *Entry) string
	read  func(e *Entry, v string) error
}

func intCol(name string, p func(e *Entry) *int) column {
	return column{name,
		func(e *Entry) string { return strconv.Itoa(*p(e)) },
		func(e *Entry, v string) (err error) { *p(e), err = strconv.Atoi(orZero(v)); return err }}
}

func int64Col(name string, p func(e *Entry) *int64) column {
	return column{name,
		func(e *Entry) string { return strconv.FormatInt(*p(e), 10) },
		func(e *Entry, v string) (err error) { *p(e), err = strconv.ParseInt(orZero(v), 10, 64); return err }}
}

func strCol(name string, p func(e *Entry) *string) column {
	return column{name,
		func(e *Entry) string { return *p(e) },
		func(e *Entry, v string) error { *p(e) = v; return nil }}
}

func durCol(name string, p func(e *Entry) *time.Duration, unit time.Duration) column {
	return column{name,
		func(e *Entry) string {
			return strconv.FormatFloat(float64(*p(e))/float64(unit), 'f', -1, 64)
		},
		func(e *Entry, v string) error {
			f, err := strconv.ParseFloat(orZero(v), 64)
			if err != nil {
				return err
			}
			conv := fromSeconds
			if unit == time.Millisecond {
				conv = fromMillis
			}
			*p(e), err = conv(f)
			return err
		}}
}

func orZero(v string) string {
	if v == "" {
		return "0"
	}
	return v
}

// columns are the CSV columns, in order; the header row names them.
var columns = []column{
	intCol("seq", func(e *Entry) *int { return &e.Seq }),
	durCol("at_s", func(e *Entry) *time.Duration { return &e.At }, time.Second),
	strCol("item", func(e *Entry) *string { return &e.Item }),
	{"workload",
		func(e *Entry) string { return string(e.Features.Kind) },
		func(e *Entry, v string) error {
			k, err := workload.ParseKind(v)
			e.Features.Kind = k
			return err
		}},
	intCol("scols", func(e *Entry) *int { return &e.Features.SCols }),
	intCol("srows", func(e *Entry) *int { return &e.Features.SRows }),
	intCol("wcols", func(e *Entry) *int { return &e.Features.WCols }),
	intCol("wrows", func(e *Entry) *int { return &e.Features.WRows }),
	intCol("coff", func(e *Entry) *int { return &e.Features.COff }),
	intCol("roff", func(e *Entry) *int { return &e.Features.ROff }),
	{"aa",
		func(e *Entry) string { return strconv.FormatBool(e.Features.AA) },
		func(e *Entry, v string) (err error) {
			if v == "" {
				e.Features.AA = false
				return nil
			}
			e.Features.AA, err = strconv.ParseBool(v)
			return err
		}},
	intCol("shapes", func(e *Entry) *int { return &e.Features.Shapes }),
	intCol("lights", func(e *Entry) *int { return &e.Features.Lights }),
	intCol("reflective", func(e *Entry) *int { return &e.Features.Reflective }),
	intCol("transparent", func(e *Entry) *int { return &e.Features.Transparent }),
	intCol("texmap_bytes", func(e *Entry) *int { return &e.Features.TexmapBytes }),
	intCol("scene_bytes", func(e *Entry) *int { return &e.Features.SceneBytes }),
	intCol("width", func(e *Entry) *int { return &e.Features.Width }),
	intCol("height", func(e *Entry) *int { return &e.Features.Height }),
	strCol("format", func(e *Entry) *string { return &e.Features.Format }),
	intCol("input_bytes", func(e *Entry) *int { return &e.Features.InputBytes }),
	strCol("input_hash", func(e *Entry) *string { return &e.Features.InputHash }),
	durCol("sent_s", func(e *Entry) *time.Duration { return &e.Sent }, time.Second),
	durCol("latency_ms", func(e *Entry) *time.Duration { return &e.Latency }, time.Millisecond),
	intCol("status", func(e *Entry) *int { return &e.Status }),
	strCol("error", func(e *Entry) *string { return &e.Error }),
	strCol("worker", func(e *Entry) *string { return &e.Worker }),
	int64Col("units", func(e *Entry) *int64 { return &e.Units }),
	durCol("cpu_ms", func(e *Entry) *time.Duration { return &e.CPU }, time.Millisecond),
	durCol("wall_ms", func(e *Entry) *time.Duration { return &e.Wall }, time.Millisecond),
	strCol("request_id", func(e *Entry) *string { return &e.RequestID }),
}

// Header is the CSV header row.
func Header() []string {
	h := make([]string, len(columns))
	for i, c := range columns {
		h[i] = c.name
	}
	return h
}

func csvRecord(e *Entry) []string {
	r := make([]string, len(columns))
	for i, c := range columns {
		r[i] = c.write(e)
	}
	return r
}

// fromCSV reads one CSV record whose columns are named by index (the file
// header's order; unknown columns are ignored).
func fromCSV(rec []string, index []int) (Entry, error) {
	var e Entry
	for i, ci := range index {
		if ci < 0 || i >= len(rec) {
			continue
		}
		c := columns[ci]
		if err := c.read(&e, rec[i]); err != nil {
			return Entry{}, fmt.Errorf("column %s: %w", c.name, err)
		}
	}
	return e, nil
}
