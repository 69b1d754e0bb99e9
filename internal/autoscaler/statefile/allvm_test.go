package statefile

import (
	"bytes"
	"encoding/xml"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/specialvfx/vfx/internal/lifecycle"
)

// originalFile is the original system's allVmInstances.xml, as committed in
// its repository (seed-data/misc). It is the original's output: -update
// never rewrites it.
const originalFile = "testdata/allVmInstances.xml"

// readAllVMInstances is what the original's LoadBalancer read.
type readAllVMInstances struct {
	XMLName   xml.Name `xml:"allVmInstances"`
	Instances []struct {
		ID      string  `xml:"instanceId"`
		DNS     string  `xml:"instanceDns"`
		CPULoad float64 `xml:"cpuLoad"`
	} `xml:"vmInstance"`
}

// originalPool reads the original's file and returns its instances as the
// workers of our pool would carry them: ready, at http://instanceDns:8000.
func originalPool(t *testing.T) ([]byte, []VMState) {
	t.Helper()
	data, err := os.ReadFile(originalFile)
	if err != nil {
		t.Fatal(err)
	}
	var doc readAllVMInstances
	if err := xml.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Instances) != 3 {
		t.Fatalf("%s holds %d instances, want the original's 3", originalFile, len(doc.Instances))
	}
	vms := make([]VMState, 0, len(doc.Instances))
	for i, in := range doc.Instances {
		vms = append(vms, VMState{
			ID: in.ID, Address: "http://" + in.DNS + ":8000", State: lifecycle.Ready, CPULoad: in.CPULoad,
			MemoryUsedMB: 300 + int64(i), InFlight: i, PredictedWork: 1e6 * float64(i), Healthy: in.CPULoad >= 0,
		})
	}
	return data, vms
}

func TestAllVMInstancesIsTheOriginalsFile(t *testing.T) {
	want, vms := originalPool(t)
	// Workers that take no requests are not listed.
	others := []VMState{
		{ID: "w-booting", Address: "http://127.0.0.1:9001", State: lifecycle.Booting, CPULoad: -1},
		{ID: "w-draining", Address: "http://127.0.0.1:9002", State: lifecycle.Draining, CPULoad: 40},
		{ID: "w-unhealthy", Address: "http://127.0.0.1:9003", State: lifecycle.Unhealthy, CPULoad: 3},
	}
	pool := slices.Concat(others[:1], vms[:2], others[1:], vms[2:])
	path := filepath.Join(t.TempDir(), AllVMInstancesFile)
	if err := WriteAllVMInstances(path, pool); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("allVmInstances.xml differs from the original's:\n%s\nwant:\n%s", got, want)
	}
}

// TestAllVMInstancesFieldByField documents how VMState.xml relates to the
// original's allVmInstances.xml, one row per field, and checks each row on
// the original's three instances.
func TestAllVMInstancesFieldByField(t *testing.T) {
	fields := []struct {
		original, ours string
		// same reports whether the original's text is what ours says;
		// nil for a field only one file has.
		same func(original, ours string) bool
		how  string
	}{
		{"instanceId", "id", equal, "the same ID"},
		{"instanceDns", "address", hostOf, "the host of the address; the original's port 8000 is left out (its load balancer adds it), any other is kept"},
		{"cpuLoad", "cpuLoad", equal, "the CPU load in percent, the same text: Java's Double.toString, -1.0 when unknown"},
		{"", "state", nil, "ours only: the lifecycle state; allVmInstances.xml lists ready workers only"},
		{"", "memoryUsed", nil, "ours only: resident memory in MB, -1 when unknown"},
		{"", "inFlight", nil, "ours only: requests running on the worker"},
		{"", "predictedWork", nil, "ours only: predicted work units left on it"},
		{"", "vmHealthy", nil, "ours only: whether its last health check passed"},
		{"", "timestamp", nil, "ours only: when its state was sampled, RFC 3339"},
	}
	original, vms := originalPool(t)
	var ours bytes.Buffer
	if err := EncodeVMState(&ours, t0, vms); err != nil {
		t.Fatal(err)
	}
	origRecs := records(t, original, "vmInstance")
	ourRecs := records(t, ours.Bytes(), "vmState")
	if len(origRecs) != len(vms) || len(ourRecs) != len(vms) {
		t.Fatalf("%d records in the original's file, %d in ours, want %d", len(origRecs), len(ourRecs), len(vms))
	}
	for i := range vms {
		var origNames, ourNames []string
		for _, f := range fields {
			if f.original != "" {
				origNames = append(origNames, f.original)
			}
			ourNames = append(ourNames, f.ours)
			t.Run(vms[i].ID+"/"+f.ours, func(t *testing.T) {
				o, inOrig := origRecs[i][f.original]
				v, inOurs := ourRecs[i][f.ours]
				switch {
				case !inOurs:
					t.Fatalf("record %d: VMState.xml has no %s", i, f.ours)
				case f.same == nil && inOrig:
					t.Fatalf("record %d: the original has %s, said to be ours only", i, f.original)
				case f.same != nil && !inOrig:
					t.Fatalf("record %d: the original has no %s", i, f.original)
				case f.same != nil && !f.same(o, v):
					t.Fatalf("record %d: original %s %q, ours %s %q: want %s", i, f.original, o, f.ours, v, f.how)
				}
			})
		}
		// The table names every field of both files.
		if got := keys(origRecs[i]); !slices.Equal(got, sorted(origNames)) {
			t.Errorf("the original's fields %v, the table names %v", got, sorted(origNames))
		}
		if got := keys(ourRecs[i]); !slices.Equal(got, sorted(ourNames)) {
			t.Errorf("VMState.xml's fields %v, the table names %v", got, sorted(ourNames))
		}
	}
}

func equal(a, b string) bool { return a == b }

// hostOf reports whether dns is the host of the URL address.
func hostOf(dns, address string) bool {
	u, err := url.Parse(address)
	return err == nil && u.Hostname() == dns
}

// records returns the text of every child element of each element named
// record in the XML document data.
func records(t *testing.T, data []byte, record string) []map[string]string {
	t.Helper()
	dec := xml.NewDecoder(bytes.NewReader(data))
	var (
		out   []map[string]string
		cur   map[string]string
		field string
		text  strings.Builder
	)
	for {
		tok, err := dec.Token()
		if err != nil {
			break
		}
		switch tk := tok.(type) {
		case xml.StartElement:
			if tk.Name.Local == record {
				cur = map[string]string{}
			} else if cur != nil {
				field = tk.Name.Local
				text.Reset()
			}
		case xml.CharData:
			text.Write(tk)
		case xml.EndElement:
			switch {
			case tk.Name.Local == record:
				out = append(out, cur)
				cur = nil
			case cur != nil && tk.Name.Local == field:
				cur[field] = text.String()
			}
		}
	}
	return out
}

func keys(m map[string]string) []string {
	var k []string
	for name := range m {
		k = append(k, name)
	}
	return sorted(k)
}

func sorted(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return s
}

func TestInstanceDNS(t *testing.T) {
	tests := []struct{ name, address, want string }{
		{"URL on the original's port", "http://ec2-3-22-75-235.us-east-2.compute.amazonaws.com:8000", "ec2-3-22-75-235.us-east-2.compute.amazonaws.com"},
		{"host:port on the original's port", "ec2-3-143-24-19.us-east-2.compute.amazonaws.com:8000", "ec2-3-143-24-19.us-east-2.compute.amazonaws.com"},
		{"local worker keeps its port", "http://127.0.0.1:41234", "127.0.0.1:41234"},
		{"a port ending in 8000 is another port", "http://10.0.0.7:18000", "10.0.0.7:18000"},
		{"path left out", "https://w.example:8000/api/", "w.example"},
		{"IPv6", "http://[::1]:8000", "[::1]"},
		{"host alone", "worker-3", "worker-3"},
		{"empty", "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := instanceDNS(tc.address); got != tc.want {
				t.Fatalf("instanceDNS(%q) = %q, want %q", tc.address, got, tc.want)
			}
		})
	}
}

func TestAllVMInstancesEmptyAndEscaped(t *testing.T) {
	var buf bytes.Buffer
	if err := EncodeAllVMInstances(&buf, []VMState{{ID: "b", State: lifecycle.Booting}}); err != nil {
		t.Fatal(err)
	}
	if want := `<?xml version="1.0" encoding="UTF-8" standalone="no"?>` + "\n<allVmInstances/>\n\n"; buf.String() != want {
		t.Fatalf("no ready worker: got %q, want %q", buf.String(), want)
	}
	buf.Reset()
	vm := VMState{ID: "a<b>&\"c'\r\x01\xff", Address: "http://h&h:8000", State: lifecycle.Ready, CPULoad: 0.0005}
	if err := EncodeAllVMInstances(&buf, []VMState{vm}); err != nil {
		t.Fatal(err)
	}
	want := `<?xml version="1.0" encoding="UTF-8" standalone="no"?>
<allVmInstances>
  <vmInstance>
    <instanceId>a&lt;b&gt;&amp;"c'&#13;` + "\uFFFD\uFFFD" + `</instanceId>
    <instanceDns>h&amp;h</instanceDns>
    <cpuLoad>5.0E-4</cpuLoad>
  </vmInstance>
</allVmInstances>

`
	if buf.String() != want {
		t.Fatalf("got\n%s\nwant\n%s", buf.String(), want)
	}
}

func TestJavaDouble(t *testing.T) {
	tests := []struct {
		v    float64
		want string
	}{
		{-1, "-1.0"},
		{0, "0.0"},
		{12, "12.0"},
		{93.91666666666666, "93.91666666666666"},
		{100, "100.0"},
		{0.001, "0.001"},
		{0.0005, "5.0E-4"},
		{1.25e-10, "1.25E-10"},
		{9999999, "9999999.0"},
		{1e7, "1.0E7"},
		{12345678.9, "1.23456789E7"},
		{1.7976931348623157e308, "1.7976931348623157E308"},
	}
	for _, tc := range tests {
		t.Run(tc.want, func(t *testing.T) {
			got := javaDouble(tc.v)
			if got != tc.want {
				t.Fatalf("javaDouble(%v) = %q, want %q", tc.v, got, tc.want)
			}
			if back, err := strconv.ParseFloat(got, 64); err != nil || back != tc.v {
				t.Fatalf("%q reads back as %v, %v", got, back, err)
			}
		})
	}
}
