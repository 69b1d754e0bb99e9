package config

import (
	"errors"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"
)

// sample is a configuration of the kinds of fields the module's configs
// have.
type sample struct {
	Min      int           `yaml:"min"`
	Ratio    float64       `yaml:"ratio"`
	Name     string        `yaml:"name"`
	Interval time.Duration `yaml:"interval"`
	On       bool          `yaml:"on"`
	Tags     []string      `yaml:"tags"`
	Limits   limits        `yaml:"limits"`
	Loop     loop          `yaml:",inline"`
}

type limits struct {
	Max   int           `yaml:"max"`
	Grace time.Duration `yaml:"grace"`
}

type loop struct {
	Dir string `yaml:"dir"`
}

func defaults() sample {
	return sample{Min: 1, Ratio: 0.5, Name: "x", Interval: 2 * time.Second, Tags: []string{"a"},
		Limits: limits{Max: 4, Grace: time.Minute}, Loop: loop{Dir: "d"}}
}

func TestParse(t *testing.T) {
	tests := []struct {
		name    string
		yaml    string
		want    func(*sample)
		wantErr []string // every one must appear; one line per entry that begins with the file's name
	}{
		{"empty gives the base", "", func(*sample) {}, nil},
		{"comments only give the base", "# nothing\n\n", func(*sample) {}, nil},
		{"null document gives the base", "~\n", func(*sample) {}, nil},
		{"explicit empty document", "---\n...\n", func(*sample) {}, nil},
		{
			"overlay keeps what the file does not set",
			"min: 3\ninterval: 1m30s\nlimits:\n  grace: 5s\n",
			func(s *sample) { s.Min, s.Interval, s.Limits.Grace = 3, 90*time.Second, 5*time.Second },
			nil,
		},
		{
			"every kind of field",
			"min: 0\nratio: 1e-3\nname: ''\non: true\ntags: [b, c]\nlimits: {max: 9}\ndir: /var/lib/vfx\n",
			func(s *sample) {
				s.Min, s.Ratio, s.Name, s.On, s.Tags = 0, 1e-3, "", true, []string{"b", "c"}
				s.Limits.Max, s.Loop.Dir = 9, "/var/lib/vfx"
			},
			nil,
		},
		{"unknown key", "min: 1\nmax_workers: 3\n", nil, []string{"f.yaml: line 2, key max_workers: unknown key"}},
		{"unknown nested key", "limits:\n  max: 2\n  maxx: 3\n", nil, []string{"f.yaml: line 3, key limits.maxx: unknown key"}},
		{"unknown key in a flow mapping", "limits: {max: 2, grace: 1s, x: 1}\n", nil, []string{"f.yaml: line 1, key limits.x: unknown key"}},
		{"wrong type", "min: many\n", nil, []string{"f.yaml: line 1, key min: cannot unmarshal !!str `many` into int"}},
		{"bad duration", "interval: soon\n", nil, []string{"f.yaml: line 1, key interval: cannot unmarshal", "want a duration such as 2s"}},
		{"bare number is not a duration", "limits:\n  grace: 2\n", nil, []string{"f.yaml: line 2, key limits.grace: cannot unmarshal !!int `2` into time.Duration"}},
		{"wrong type in a list", "tags:\n  - a\n  - [b]\n", nil, []string{"f.yaml: line 3, key tags[1]: cannot unmarshal !!seq into string"}},
		{
			"every problem at once",
			"min: x\nratio: y\nnope: 1\n",
			nil,
			[]string{"f.yaml: line 1, key min:", "f.yaml: line 2, key ratio:", "f.yaml: line 3, key nope: unknown key"},
		},
		{"key twice", "min: 1\nmin: 2\n", nil, []string{`f.yaml: line 2, key min: mapping key "min" already defined at line 1`}},
		{"two documents", "min: 1\n---\nmin: 2\n", nil, []string{"f.yaml: line 2: a second YAML document"}},
		{"a broken second document", "min: 1\n---\n: : :\n", nil, []string{"f.yaml: after the first document: yaml: line"}},
		{"not a mapping", "- 1\n- 2\n", nil, []string{"f.yaml: line 1: cannot unmarshal !!seq"}},
		{"syntax error", "min: [\n", nil, []string{"f.yaml: yaml: line 1:"}},
		{"unknown alias", "min: *x\n", nil, []string{"f.yaml: yaml: unknown anchor 'x' referenced"}},
		{"too large", "# " + strings.Repeat("x", MaxSize) + "\n", nil, []string{"f.yaml: larger than 1048576 bytes"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Parse("f.yaml", []byte(tc.yaml), defaults())
			if tc.wantErr != nil {
				if err == nil {
					t.Fatalf("no error; got %+v", got)
				}
				for _, w := range tc.wantErr {
					if !strings.Contains(err.Error(), w) {
						t.Errorf("error\n%v\ndoes not contain %q", err, w)
					}
				}
				problems := 0
				for _, w := range tc.wantErr {
					if strings.HasPrefix(w, "f.yaml: ") {
						problems++
					}
				}
				if lines := strings.Count(err.Error(), "\n") + 1; lines != problems {
					t.Errorf("%d problems reported, want %d:\n%v", lines, problems, err)
				}
				for _, line := range strings.Split(err.Error(), "\n") {
					if !strings.HasPrefix(line, "f.yaml: ") {
						t.Errorf("a line of the error does not name the file: %q", line)
					}
				}
				if !reflect.DeepEqual(got, defaults()) {
					t.Errorf("on error got %+v, want the base", got)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			want := defaults()
			tc.want(&want)
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("got  %+v\nwant %+v", got, want)
			}
		})
	}
}

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		t.Helper()
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}

	good := write("good.yaml", "min: 10\nlimits:\n  grace: 3s\n")
	s, err := Load(good, defaults())
	if err != nil {
		t.Fatal(err)
	}
	want := defaults()
	want.Min, want.Limits.Grace = 10, 3*time.Second
	if !reflect.DeepEqual(s, want) {
		t.Fatalf("got %+v, want %+v", s, want)
	}

	missing := filepath.Join(dir, "missing.yaml")
	if _, err := Load(missing, defaults()); !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), missing) {
		t.Errorf("missing file: %v, want fs.ErrNotExist naming the file", err)
	}

	big := write("big.yaml", "# "+strings.Repeat("x", MaxSize)+"\n")
	if _, err := Load(big, defaults()); err == nil || !strings.HasPrefix(err.Error(), big+": larger than") {
		t.Errorf("big file: %v", err)
	}
	// Exactly MaxSize bytes is allowed.
	atLimit := write("limit.yaml", "# "+strings.Repeat("x", MaxSize-3)+"\n")
	if _, err := Load(atLimit, defaults()); err != nil {
		t.Errorf("a file of MaxSize bytes: %v", err)
	}

	bad := write("bad.yaml", "nope: 1\n")
	if _, err := Load(bad, defaults()); err == nil || !strings.HasPrefix(err.Error(), bad+": line 1, key nope: unknown key") {
		t.Errorf("bad file: error %v does not name the file, line and key", err)
	}

	if _, err := Load(dir, defaults()); err == nil || !strings.Contains(err.Error(), dir) {
		t.Errorf("a directory: %v", err)
	}
}

// FuzzParse: no input crashes the parser or escapes its error format, and
// a configuration it accepts survives a YAML round trip unchanged.
func FuzzParse(f *testing.F) {
	f.Add([]byte(""))
	f.Add([]byte("min: 2\nratio: 0.5\nname: y\ninterval: 5s\n"))
	f.Add([]byte("tags: [a, b]\nlimits: {max: 3, grace: 1m}\ndir: z\non: yes\n"))
	f.Add([]byte("min: [1, 2]\n"))
	f.Add([]byte("&a [*a]"))
	f.Add([]byte("limits:\n  x: 1\n---\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := Parse("f.yaml", data, defaults())
		if err != nil {
			for _, line := range strings.Split(err.Error(), "\n") {
				if !strings.HasPrefix(line, "f.yaml: ") {
					t.Fatalf("error line %q does not name the file", line)
				}
			}
			return
		}
		out, err := yaml.Marshal(yamlForm(s))
		if err != nil {
			t.Fatalf("marshal: %v", err)
		}
		s2, err := Parse("out.yaml", out, defaults())
		if err != nil {
			t.Fatalf("reparse %q: %v", out, err)
		}
		// "tags:" (null) gives no list, written back as [] (an empty one).
		if len(s.Tags) == 0 && len(s2.Tags) == 0 {
			s.Tags, s2.Tags = nil, nil
		}
		if !reflect.DeepEqual(s, s2) && !math.IsNaN(s.Ratio) {
			t.Fatalf("round trip changed the configuration:\n%+v\n%+v", s, s2)
		}
	})
}

// yamlForm writes durations as strings, as a user would.
func yamlForm(s sample) map[string]any {
	return map[string]any{
		"min": s.Min, "ratio": s.Ratio, "name": s.Name, "interval": s.Interval.String(), "on": s.On, "tags": s.Tags,
		"limits": map[string]any{"max": s.Limits.Max, "grace": s.Limits.Grace.String()}, "dir": s.Loop.Dir,
	}
}
