package trace

import (
	"bytes"
	"errors"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/specialvfx/vfx/internal/workload"
)

func sample() []Entry {
	return []Entry{
		{Seq: 0, At: 1500 * time.Millisecond, Item: "raytrace-complex", Features: workload.Features{
			Kind: workload.Raytracer, SCols: 400, SRows: 300, WCols: 200, WRows: 150, COff: 10, ROff: 20, AA: true,
			Shapes: 12, Lights: 3, Reflective: 2, Transparent: 1, SceneBytes: 900, InputBytes: 900, InputHash: "ab12"},
			Sent: 1501 * time.Millisecond, Latency: 250*time.Millisecond + 125*time.Microsecond, Status: 200,
			Worker: "local-1", Units: 123456789, CPU: 240 * time.Millisecond, Wall: 245 * time.Millisecond, RequestID: "r1"},
		{Seq: 1, At: 2 * time.Second, Item: "blur, \"quoted\"", Features: workload.Features{
			Kind: workload.Blur, Width: 960, Height: 686, Format: "jpg", InputBytes: 16000}},
		{Seq: 2, At: 3 * time.Second, Features: workload.Features{Kind: workload.Enhance, Width: 640, Height: 480, Format: "png"},
			Sent: 3 * time.Second, Latency: time.Second, Status: 503, Error: "queue full,\nretry"},
	}
}

// TestRoundTrip: both file forms read back exactly what was written.
func TestRoundTrip(t *testing.T) {
	for _, name := range []string{"t.jsonl", "t.csv"} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), name)
			want := sample()
			if err := WriteFile(path, want); err != nil {
				t.Fatal(err)
			}
			got, err := ReadFile(path, Limits{})
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("read back\n%+v\nwant\n%+v", got, want)
			}
		})
	}
}

func TestEmptyCSVHasHeader(t *testing.T) {
	var buf bytes.Buffer
	w, err := NewWriter(&buf, CSV)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if got := buf.String(); got != strings.Join(Header(), ",")+"\n" {
		t.Errorf("empty CSV trace %q", got)
	}
	entries, err := Read(&buf, Limits{})
	if err != nil || len(entries) != 0 {
		t.Errorf("read back %v, %v", entries, err)
	}
}

// TestRanAndOK: what a generated entry and a run one report.
func TestRanAndOK(t *testing.T) {
	s := sample()
	for i, want := range []struct{ ran, ok bool }{{true, true}, {false, false}, {true, false}} {
		if s[i].Ran() != want.ran || s[i].OK() != want.ok {
			t.Errorf("entry %d: ran %v ok %v, want %+v", i, s[i].Ran(), s[i].OK(), want)
		}
	}
}

func TestReadErrors(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"bad json", "{\"seq\":0,\"features\":{\"workload\":\"raytracer\"}}\n{nope}\n", "line 2"},
		{"unknown workload", `{"seq":0,"features":{"workload":"paint"}}`, "workload"},
		{"negative time", `{"seq":0,"at_s":-1,"features":{"workload":"blurimage"}}`, "at_s"},
		{"absurd status", `{"seq":3,"status":42,"features":{"workload":"blurimage"}}`, "status"},
		{"csv without workload", "seq,at_s\n0,1\n", "no workload column"},
		{"csv bad number", "seq,at_s,workload\n0,soon,raytracer\n", "line 2: column at_s"},
		{"too many", strings.Repeat(`{"seq":0,"features":{"workload":"blurimage"}}`+"\n", 3), "more than 2 entries"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Read(strings.NewReader(tc.in), Limits{MaxEntries: 2})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want one mentioning %q", err, tc.want)
			}
		})
	}
	_, err := Read(strings.NewReader(`{"seq":-1,"features":{"workload":"blurimage"}}`), Limits{})
	if !errors.Is(err, ErrInvalid) {
		t.Errorf("invalid entry: %v, want ErrInvalid", err)
	}
}

func TestFormatOf(t *testing.T) {
	for path, want := range map[string]Format{"a.csv": CSV, "A.CSV": CSV, "a.jsonl": JSONL, "a.json": JSONL, "a": JSONL} {
		if got := FormatOf(path); got != want {
			t.Errorf("FormatOf(%q) = %s, want %s", path, got, want)
		}
	}
	if _, err := NewWriter(&bytes.Buffer{}, "xml"); err == nil {
		t.Error("NewWriter accepted format xml")
	}
}

// FuzzRead: any input is read or refused with an error, never a panic, and
// what is read writes back to the same entries in both forms.
func FuzzRead(f *testing.F) {
	var jl, cs bytes.Buffer
	for _, pair := range []struct {
		b *bytes.Buffer
		f Format
	}{{&jl, JSONL}, {&cs, CSV}} {
		w, _ := NewWriter(pair.b, pair.f)
		for _, e := range sample() {
			w.Write(e)
		}
		w.Close()
	}
	f.Add(jl.Bytes())
	f.Add(cs.Bytes())
	f.Add([]byte("seq,workload\n1,blur\n"))
	f.Fuzz(func(t *testing.T, in []byte) {
		entries, err := Read(bytes.NewReader(in), Limits{MaxEntries: 1000})
		if err != nil {
			return
		}
		for _, format := range []Format{JSONL, CSV} {
			var buf bytes.Buffer
			w, _ := NewWriter(&buf, format)
			for _, e := range entries {
				if err := w.Write(e); err != nil {
					t.Fatal(err)
				}
			}
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			back, err := Read(&buf, Limits{MaxEntries: 1000})
			if err != nil {
				t.Fatalf("%s: reading back what was read: %v", format, err)
			}
			if len(back) != len(entries) {
				t.Fatalf("%s: %d entries back, want %d", format, len(back), len(entries))
			}
		}
	})
}
