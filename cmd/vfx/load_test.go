package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/specialvfx/vfx/internal/testutil"
	"github.com/specialvfx/vfx/internal/trace"
)

// TestLoadFlags: every wrong or conflicting flag is a usage error (exit
// 2) that names it, and nothing is sent.
func TestLoadFlags(t *testing.T) {
	url := "http://127.0.0.1:1"
	for _, tc := range []struct {
		name string
		args []string
		want []string
	}{
		{"no URL", []string{"--preset", "tiny", "--count", "1"}, []string{"missing URL"}},
		{"not a URL", []string{"127.0.0.1:8000", "--preset", "tiny", "--count", "1"}, []string{"want http://HOST:PORT"}},
		{"remote", []string{"http://192.0.2.7:8000", "--preset", "tiny", "--count", "1"},
			[]string{"192.0.2.7:8000: the target is not on this machine", "--allow-remote"}},
		{"no mix", []string{url, "--count", "1"}, []string{"missing request mix: --preset NAME (course, unseen, tiny; see --list-presets) or --spec FILE"}},
		{"two mixes", []string{url, "--preset", "tiny", "--spec", "x.yaml", "--count", "1"}, []string{"--preset and --spec: give one of them"}},
		{"unbounded", []string{url, "--preset", "tiny"}, []string{"--count: a run needs a bound"}},
		{"beyond the caps", []string{url, "--preset", "tiny", "--count", "10000001", "--duration", "25h", "--rate", "1e6", "--timeout", "0s"},
			[]string{"--count: 10000001 is not in", "--duration: 25h0m0s is not in", "--rate: 1e+06 requests/s", "--timeout: 0s"}},
		{"open-loop flags in a closed loop", []string{url, "--preset", "tiny", "--count", "1", "--clients", "2", "--rate", "5", "--bursts", "2"},
			[]string{"--rate: an open-loop flag, and --clients runs a closed loop", "--bursts: an open-loop flag"}},
		{"think without clients", []string{url, "--preset", "tiny", "--count", "1", "--think", "1s"}, []string{"--think: the pause of a closed-loop client"}},
		{"flags of another arrival", []string{url, "--preset", "tiny", "--count", "1", "--arrival", "constant", "--burst-gap", "2s", "--period", "1m"},
			[]string{"--burst-gap: applies to --arrival bursts, not constant", "--period: applies to --arrival diurnal, not constant"}},
		{"rate of bursts", []string{url, "--preset", "tiny", "--bursts", "3", "--rate", "2"}, []string{"--rate: does not apply to --arrival bursts"}},
		{"bad phases", []string{url, "--preset", "tiny", "--phases", "quiet:2s"}, []string{"--phases: phase \"quiet:2s\": want [name:]duration@rate"}},
		{"unknown arrival", []string{url, "--preset", "tiny", "--count", "1", "--arrival", "often"}, []string{`--arrival: "often": want one of poisson`}},
		{"format", []string{url, "--preset", "tiny", "--count", "1", "--format", "xml"}, []string{`--format "xml": want table or json`}},
		{"dry run without out", []string{"--preset", "tiny", "--count", "1", "--dry-run"}, []string{"--dry-run: give --out FILE"}},
		{"dry run of a closed loop", []string{"--preset", "tiny", "--count", "1", "--clients", "2", "--dry-run", "--out", "x"}, []string{"--dry-run: a closed loop (--clients) has no schedule"}},
		{"data of a spec", []string{url, "--spec", "x.yaml", "--data", ".", "--count", "1"}, []string{"--data: the presets' seed data"}},
		{"unknown preset", []string{url, "--preset", "huge", "--count", "1"}, []string{`--preset: unknown preset "huge"`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, code, err := runRoot(t, append([]string{"load"}, tc.args...)...)
			if code != 2 || err == nil {
				t.Fatalf("exit %d, error %v; want a usage error", code, err)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error\n%v\nlacks %q", err, w)
				}
			}
		})
	}
}

func TestLoadListPresets(t *testing.T) {
	out, code, err := runRoot(t, "load", "--list-presets")
	if err != nil || code != 0 {
		t.Fatal(err)
	}
	for _, w := range []string{"course\n  the original course's test patterns", "unseen\n  inputs the cost model has never seen", "tiny\n  the cheapest request"} {
		if !strings.Contains(out, w) {
			t.Errorf("--list-presets lacks %q:\n%s", w, out)
		}
	}
}

// TestLoadMissingData: a preset without its seed data says where it
// looked and how to pass --data.
func TestLoadMissingData(t *testing.T) {
	t.Chdir(t.TempDir())
	dir := filepath.Join(t.TempDir(), "nothing-here")
	_, code, err := runRoot(t, "load", "http://127.0.0.1:1", "--preset", "course", "--count", "1", "--data", dir)
	if code != 1 || err == nil || !strings.Contains(err.Error(), "no seed-data directory: looked in "+dir) || !strings.Contains(err.Error(), "pass --data DIR") {
		t.Errorf("exit %d, %v", code, err)
	}
}

// TestLoadDryRun: the same seed plans the same file, byte for byte.
func TestLoadDryRun(t *testing.T) {
	dir := t.TempDir()
	plan := func(name, seed string) []byte {
		path := filepath.Join(dir, name)
		_, code, err := runRoot(t, "load", "--preset", "course", "--data", testutil.SeedPath(t, "."), "--rate", "20", "--count", "40",
			"--seed", seed, "--dry-run", "--out", path)
		if err != nil || code != 0 {
			t.Fatal(err)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	a, b, c := plan("a.jsonl", "3"), plan("b.jsonl", "3"), plan("c.jsonl", "4")
	if !bytes.Equal(a, b) || bytes.Equal(a, c) || bytes.Count(a, []byte("\n")) != 40 {
		t.Errorf("seed 3 twice: equal %v; seeds 3 and 4: equal %v; %d lines", bytes.Equal(a, b), bytes.Equal(a, c), bytes.Count(a, []byte("\n")))
	}
}

// TestLoadRun: vfx load against a server prints the summary (table or
// JSON) and writes the trace.
func TestLoadRun(t *testing.T) {
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		if r.URL.Path != "/blurimage" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("X-Worker-Id", "w9")
		io.WriteString(w, "data:image/png;base64,iVBORw0KGgo=")
	}))
	defer ts.Close()
	out := filepath.Join(t.TempDir(), "run.csv")
	stdout, code, err := runRoot(t, "load", ts.URL, "--preset", "tiny", "--arrival", "constant", "--rate", "500", "--count", "30", "--out", out, "--seed", "9")
	if err != nil || code != 0 {
		t.Fatal(err)
	}
	for _, w := range []string{"load: sending mix tiny (1 item) to " + ts.URL + ", open loop (constant 500/s), at most 30 requests, seed 9", "\nmix tiny -> " + ts.URL + ", open loop (constant 500/s), seed 9\n", "30 requests sent in",
		"blur-1x1  blurimage    30  30", "Latency: from each request's scheduled time"} {
		if !strings.Contains(stdout, w) {
			t.Errorf("output lacks %q:\n%s", w, stdout)
		}
	}
	entries, err := trace.ReadFile(out, trace.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 30 || entries[29].Seq != 29 || !entries[0].OK() || entries[0].Worker != "w9" {
		t.Errorf("%d entries, first %+v", len(entries), entries[0])
	}

	stdout, _, err = runRoot(t, "load", ts.URL, "--preset", "tiny", "--clients", "2", "--count", "10", "--format", "json", "--report-every", "0")
	if err != nil {
		t.Fatal(err)
	}
	var sum struct {
		Loop string `json:"loop"`
		Sent int    `json:"sent"`
		Rows []struct {
			Name string `json:"name"`
			OK   int    `json:"ok"`
		} `json:"rows"`
	}
	if err := json.Unmarshal([]byte(stdout[strings.Index(stdout, "{"):]), &sum); err != nil {
		t.Fatalf("%v:\n%s", err, stdout)
	}
	if sum.Loop != "closed" || sum.Sent != 10 || len(sum.Rows) != 2 || sum.Rows[1].Name != "all" || sum.Rows[1].OK != 10 {
		t.Errorf("summary %+v", sum)
	}
}
