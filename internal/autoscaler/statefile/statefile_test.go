package statefile

import (
	"bytes"
	"encoding/xml"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/specialvfx/vfx/internal/autoscaler"
	"github.com/specialvfx/vfx/internal/lifecycle"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden")

var t0 = time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)

func sampleVMs() []VMState {
	return []VMState{
		{ID: "w1", Address: "127.0.0.1:8001", State: lifecycle.Ready, CPULoad: 93.91666666666666, MemoryUsedMB: 412, InFlight: 3, PredictedWork: 812345.5, Healthy: true, Timestamp: t0.Add(-3 * time.Second)},
		{ID: "w2", Address: "127.0.0.1:8002", State: lifecycle.Booting, CPULoad: -1, MemoryUsedMB: -1, Timestamp: time.Time{}},
		{ID: "i-0990f57abf2b19c42", Address: "ec2-3-143-24-19.us-east-2.compute.amazonaws.com:8000", State: lifecycle.Draining, CPULoad: 12, MemoryUsedMB: 300, InFlight: 1, PredictedWork: 4e7, Healthy: true, Timestamp: t0.In(time.FixedZone("WEST", 3600))},
		{ID: "w<4>&", Address: "", State: lifecycle.Unhealthy, CPULoad: 0, Healthy: false, Timestamp: t0},
	}
}

func sampleLog() *DecisionLog {
	l := NewDecisionLog(0)
	l.Add(NewDecision(t0, "backlog", 1, autoscaler.Decision{Desired: 1, Reason: "backlog 0 units + arrivals 0 units/s need 0.0 workers of 50M units/s at 70% target, raised to min 1; have 1 ready + 0 booting → keep 1"}))
	l.Add(NewDecision(t0.Add(2*time.Second), "backlog", 1, autoscaler.Decision{Desired: 4, Launch: 3, Panic: true, Reason: "entering panic: backlog 7k units … → launch 3"}))
	l.Add(NewDecision(t0.Add(4*time.Second), "backlog", 4, autoscaler.Decision{Desired: 4, Panic: true, Reason: "panic: … → keep 4"}))
	l.Add(NewDecision(t0.Add(30*time.Second), "backlog", 4, autoscaler.Decision{Desired: 4, Reason: "leaving panic after 20s calm: … → keep 4"}))
	l.Add(NewDecision(t0.Add(40*time.Second), "backlog", 4, autoscaler.Decision{Desired: 3, Drain: []string{"w3"}, Reason: "… → drain w3"}))
	l.Add(NewDecision(t0.Add(50*time.Second), "backlog", 3, autoscaler.Decision{Desired: 3, Launch: 1, Replace: []string{"w2"}, Reason: "… → replace w2 (unhealthy 10s) and launch 1"}))
	return l
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("%s differs from the golden file:\n%s", name, got)
	}
}

func TestWriteVMStateGolden(t *testing.T) {
	path := filepath.Join(t.TempDir(), VMStateFile)
	if err := WriteVMState(path, t0, sampleVMs()); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "vmstate.golden", got)
}

func TestWriteASStateGolden(t *testing.T) {
	path := filepath.Join(t.TempDir(), ASStateFile)
	if err := sampleLog().WriteFile(path); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "asstate.golden", got)
}

// The structs a reader of the files would declare.
type readVMStates struct {
	XMLName xml.Name `xml:"vmStates"`
	States  []struct {
		ID            string    `xml:"id"`
		Address       string    `xml:"address"`
		State         string    `xml:"state"`
		CPULoad       float64   `xml:"cpuLoad"`
		MemoryUsed    int64     `xml:"memoryUsed"`
		InFlight      int       `xml:"inFlight"`
		PredictedWork float64   `xml:"predictedWork"`
		Healthy       bool      `xml:"vmHealthy"`
		Timestamp     time.Time `xml:"timestamp"`
	} `xml:"vmState"`
}

type readASState struct {
	XMLName   xml.Name `xml:"asState"`
	Decisions []struct {
		ID      uint64    `xml:"id"`
		Time    time.Time `xml:"time"`
		Policy  string    `xml:"policy"`
		Action  string    `xml:"action"`
		From    int       `xml:"from"`
		To      int       `xml:"to"`
		Workers []string  `xml:"workers>worker"`
		Reason  string    `xml:"reason"`
	} `xml:"decision"`
}

func TestVMStateParsesBack(t *testing.T) {
	var buf bytes.Buffer
	vms := sampleVMs()
	if err := EncodeVMState(&buf, t0, vms); err != nil {
		t.Fatal(err)
	}
	var doc readVMStates
	if err := xml.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.States) != len(vms) {
		t.Fatalf("%d states, want %d", len(doc.States), len(vms))
	}
	for i, v := range vms {
		g := doc.States[i]
		wantTS := v.Timestamp
		if wantTS.IsZero() {
			wantTS = t0
		}
		wantMem := v.MemoryUsedMB
		if wantMem < 0 {
			wantMem = -1
		}
		if g.ID != v.ID || g.Address != v.Address || g.State != v.State.String() || g.CPULoad != v.CPULoad ||
			g.MemoryUsed != wantMem || g.InFlight != v.InFlight || g.PredictedWork != v.PredictedWork ||
			g.Healthy != v.Healthy || !g.Timestamp.Equal(wantTS.Truncate(time.Second)) {
			t.Errorf("state %d: read back %+v from %+v", i, g, v)
		}
	}
	if !strings.Contains(buf.String(), "<cpuLoad>-1.0</cpuLoad>") || !strings.Contains(buf.String(), "<cpuLoad>93.91666666666666</cpuLoad>") {
		t.Errorf("cpuLoad not written like the original's:\n%s", buf.String())
	}
}

func TestASStateParsesBack(t *testing.T) {
	l := sampleLog()
	var buf bytes.Buffer
	if err := EncodeASState(&buf, l.Decisions()); err != nil {
		t.Fatal(err)
	}
	var doc readASState
	if err := xml.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	want := l.Decisions()
	if len(doc.Decisions) != len(want) {
		t.Fatalf("%d decisions, want %d", len(doc.Decisions), len(want))
	}
	for i, w := range want {
		g := doc.Decisions[i]
		if g.ID != w.ID || !g.Time.Equal(w.Time) || g.Policy != w.Policy || g.Action != w.Action.String() ||
			g.From != w.From || g.To != w.To || !reflect.DeepEqual(g.Workers, w.Workers) || g.Reason != w.Reason {
			t.Errorf("decision %d: read back %+v from %+v", i, g, w)
		}
	}
}

func TestNewDecisionAction(t *testing.T) {
	tests := []struct {
		name        string
		d           autoscaler.Decision
		want        lifecycle.Action
		wantWorkers []string
	}{
		{"launch", autoscaler.Decision{Desired: 3, Launch: 2}, lifecycle.ActionAdd, nil},
		{"drain", autoscaler.Decision{Desired: 1, Drain: []string{"a", "b"}}, lifecycle.ActionRemove, []string{"a", "b"}},
		{"replace with launch", autoscaler.Decision{Desired: 2, Launch: 2, Replace: []string{"c"}}, lifecycle.ActionReplace, []string{"c"}},
		{"nothing", autoscaler.Decision{Desired: 2}, lifecycle.ActionKeep, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := NewDecision(t0, "backlog", 2, tc.d)
			if got.Action != tc.want || !reflect.DeepEqual(got.Workers, tc.wantWorkers) || got.From != 2 || got.To != tc.d.Desired {
				t.Fatalf("got %+v", got)
			}
		})
	}
}

func TestDecisionLogKeepsChanges(t *testing.T) {
	steps := []struct {
		name string
		d    autoscaler.Decision
		want bool
	}{
		{"first keep is not a change", autoscaler.Decision{Desired: 2}, false},
		{"same keep again", autoscaler.Decision{Desired: 2}, false},
		{"launch", autoscaler.Decision{Desired: 3, Launch: 1}, true},
		{"keep at the new target", autoscaler.Decision{Desired: 3}, false},
		{"target held higher, nothing to do yet", autoscaler.Decision{Desired: 4}, true},
		{"panic entered", autoscaler.Decision{Desired: 4, Panic: true}, true},
		{"still in panic", autoscaler.Decision{Desired: 4, Panic: true}, false},
		{"panic left", autoscaler.Decision{Desired: 4}, true},
		{"drain", autoscaler.Decision{Desired: 3, Drain: []string{"w1"}}, true},
		{"replace", autoscaler.Decision{Desired: 3, Launch: 1, Replace: []string{"w2"}}, true},
	}
	l := NewDecisionLog(0)
	kept := 0
	for i, s := range steps {
		got := l.Add(NewDecision(t0.Add(time.Duration(i)*time.Second), "backlog", 3, s.d))
		if got != s.want {
			t.Errorf("%s: recorded %v, want %v", s.name, got, s.want)
		}
		if got {
			kept++
		}
	}
	ds := l.Decisions()
	if len(ds) != kept {
		t.Fatalf("%d decisions kept, want %d", len(ds), kept)
	}
	for i, d := range ds {
		if d.ID != uint64(i+1) {
			t.Errorf("decision %d has ID %d", i, d.ID)
		}
	}
}

func TestDecisionLogBounded(t *testing.T) {
	l := NewDecisionLog(3)
	for i := range 7 {
		l.Add(NewDecision(t0.Add(time.Duration(i)*time.Second), "cpu", i, autoscaler.Decision{Desired: i + 1, Launch: 1}))
	}
	ds := l.Decisions()
	if len(ds) != 3 {
		t.Fatalf("%d decisions kept, want 3", len(ds))
	}
	for i, d := range ds {
		if want := uint64(5 + i); d.ID != want || d.From != int(want)-1 {
			t.Errorf("decision %d: ID %d from %d, want ID %d", i, d.ID, d.From, want)
		}
	}
	if NewDecisionLog(-1).limit != DefaultLogLimit {
		t.Fatal("default limit not applied")
	}
}

func TestDecisionLogConcurrent(t *testing.T) {
	l := NewDecisionLog(50)
	dir := t.TempDir()
	path := filepath.Join(dir, ASStateFile)
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 100 {
				l.Add(NewDecision(t0, "backlog", i, autoscaler.Decision{Desired: i, Launch: 1}))
				if i%25 == 0 {
					if err := l.WriteFile(path); err != nil {
						t.Errorf("writer %d: %v", g, err)
					}
				}
			}
		}()
	}
	wg.Wait()
	if got := len(l.Decisions()); got != 50 {
		t.Fatalf("%d decisions, want 50", got)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var doc readASState
	if err := xml.Unmarshal(data, &doc); err != nil {
		t.Fatalf("file after concurrent writes: %v", err)
	}
	assertNoTempFiles(t, dir)
}

func assertNoTempFiles(t *testing.T, dir string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".tmp") {
			t.Errorf("temporary file %s left behind", e.Name())
		}
	}
}

func TestWriteReplacesWholeFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, VMStateFile)
	if err := WriteVMState(path, t0, sampleVMs()); err != nil {
		t.Fatal(err)
	}
	if err := WriteVMState(path, t0, sampleVMs()[:1]); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var doc readVMStates
	if err := xml.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.States) != 1 {
		t.Fatalf("%d states after rewriting with 1", len(doc.States))
	}
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode().Perm() != 0o644 {
		t.Errorf("mode %v, want 0644", info.Mode().Perm())
	}
	assertNoTempFiles(t, dir)
}

func TestWriteFailureLeavesOldFile(t *testing.T) {
	dir := t.TempDir()
	// The target is a non-empty directory: the rename fails after the
	// temporary file was written, and nothing may be left behind.
	target := filepath.Join(dir, VMStateFile)
	if err := os.MkdirAll(filepath.Join(target, "keep"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := WriteVMState(target, t0, sampleVMs()); err == nil {
		t.Fatal("writing over a directory succeeded")
	} else if !strings.Contains(err.Error(), VMStateFile) {
		t.Errorf("error %q does not name the file", err)
	}
	if _, err := os.Stat(filepath.Join(target, "keep")); err != nil {
		t.Errorf("directory was touched: %v", err)
	}
	assertNoTempFiles(t, dir)

	if err := WriteVMState(filepath.Join(dir, "missing", VMStateFile), t0, nil); err == nil {
		t.Fatal("writing into a missing directory succeeded")
	}
}

func TestEmptyFiles(t *testing.T) {
	var buf bytes.Buffer
	if err := EncodeVMState(&buf, t0, nil); err != nil {
		t.Fatal(err)
	}
	if want := xml.Header + "<vmStates></vmStates>\n"; buf.String() != want {
		t.Fatalf("got %q, want %q", buf.String(), want)
	}
	buf.Reset()
	if err := EncodeASState(&buf, nil); err != nil {
		t.Fatal(err)
	}
	if want := xml.Header + "<asState></asState>\n"; buf.String() != want {
		t.Fatalf("got %q, want %q", buf.String(), want)
	}
}

// sanitize is what XML can carry of s: invalid UTF-8 and characters
// outside XML's range become U+FFFD.
func sanitize(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r == utf8.RuneError || !(r == 0x09 || r == 0x0A || r == 0x0D || r >= 0x20 && r <= 0xD7FF || r >= 0xE000 && r <= 0xFFFD || r >= 0x10000 && r <= 0x10FFFF) {
			r = '\uFFFD'
		}
		b.WriteRune(r)
	}
	return b.String()
}

// FuzzEncode: whatever the strings, numbers and state, the three files are
// well-formed XML that reads back to the same values, and a value that is
// not a state is an error of VMState.xml.
func FuzzEncode(f *testing.F) {
	f.Add("w1", "127.0.0.1:8001", "backlog", "need 4.2 workers → launch 1", uint8(lifecycle.Ready), 93.9, 812345.5, int64(412))
	f.Add("<&>", "]]>", "\x00\x01", "\r\n\t\"'", uint8(0), -1.0, -5.0, int64(-3))
	f.Add("\xff\xfe", "a\u2028b", "", "\U0001F600", uint8(lifecycle.Draining), 1e308, 1e25, int64(1)<<62)
	f.Add("i-1\r", "http://h:8000/\xff", "p", "r", uint8(lifecycle.Ready), 0.0004, 0.0, int64(0))
	f.Fuzz(func(t *testing.T, id, addr, policy, reason string, st uint8, cpu, work float64, mem int64) {
		state := lifecycle.State(st)
		vm := VMState{ID: id, Address: addr, State: state, CPULoad: cpu, PredictedWork: work, MemoryUsedMB: mem, Healthy: true}
		var buf bytes.Buffer
		err := EncodeVMState(&buf, t0, []VMState{vm})
		if !state.IsValid() {
			if err == nil || !strings.Contains(err.Error(), "invalid worker state") {
				t.Fatalf("state %d: error %v", st, err)
			}
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		var vs readVMStates
		if err := xml.Unmarshal(buf.Bytes(), &vs); err != nil {
			t.Fatalf("VMState.xml does not parse: %v\n%s", err, buf.String())
		}
		g := vs.States[0]
		if g.ID != sanitize(id) || g.Address != sanitize(addr) || g.State != state.String() {
			t.Fatalf("strings changed: %q %q %q", g.ID, g.Address, g.State)
		}
		if cpu >= 0 && cpu <= 1e308 && g.CPULoad != cpu {
			t.Fatalf("cpuLoad %v read back as %v", cpu, g.CPULoad)
		}
		if work >= 0 && work <= 1e308 && g.PredictedWork != work {
			t.Fatalf("predictedWork %v read back as %v", work, g.PredictedWork)
		}

		buf.Reset()
		if err := EncodeAllVMInstances(&buf, []VMState{vm}); err != nil {
			t.Fatal(err)
		}
		var all readAllVMInstances
		if err := xml.Unmarshal(buf.Bytes(), &all); err != nil {
			t.Fatalf("allVmInstances.xml does not parse: %v\n%s", err, buf.String())
		}
		if state != lifecycle.Ready {
			if len(all.Instances) != 0 {
				t.Fatalf("a %s worker is listed: %s", state, buf.String())
			}
		} else {
			gi := all.Instances[0]
			if gi.ID != sanitize(id) || gi.DNS != sanitize(instanceDNS(addr)) {
				t.Fatalf("strings changed: %q %q", gi.ID, gi.DNS)
			}
			if cpu >= 0 && cpu <= 1e308 && gi.CPULoad != cpu {
				t.Fatalf("cpuLoad %v read back as %v", cpu, gi.CPULoad)
			}
		}

		buf.Reset()
		d := Decision{ID: 1, Time: t0, Policy: policy, Action: lifecycle.ActionRemove, Workers: []string{id, addr}, Reason: reason}
		if err := EncodeASState(&buf, []Decision{d}); err != nil {
			t.Fatal(err)
		}
		var as readASState
		if err := xml.Unmarshal(buf.Bytes(), &as); err != nil {
			t.Fatalf("ASState.xml does not parse: %v\n%s", err, buf.String())
		}
		gd := as.Decisions[0]
		if gd.Reason != sanitize(reason) || gd.Policy != sanitize(policy) || fmt.Sprint(gd.Workers) != fmt.Sprint([]string{sanitize(id), sanitize(addr)}) {
			t.Fatalf("decision changed: %+v", gd)
		}
	})
}
