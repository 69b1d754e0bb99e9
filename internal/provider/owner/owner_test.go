package owner

import (
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/specialvfx/vfx/internal/lease"
	"github.com/specialvfx/vfx/internal/testutil"
)

func TestSelf(t *testing.T) {
	now := time.Date(2025, 1, 2, 3, 4, 5, 600, time.UTC)
	o := Self("http://127.0.0.1:8000", now)
	if o.PID != os.Getpid() || o.Start == 0 || o.Boot == "" || o.Instance == "" || !o.Since.Equal(now.Truncate(time.Second)) {
		t.Fatalf("Self = %+v", o)
	}
	if !o.Alive() {
		t.Error("this process is not alive")
	}
	if !o.Same(o) || o.Same(Self("http://127.0.0.1:8000", now)) {
		t.Error("Same: an owner is itself, and two owners made by one process differ")
	}
	if s := o.String(); !strings.Contains(s, "pid ") || !strings.Contains(s, "load balancer http://127.0.0.1:8000") {
		t.Errorf("String = %q", s)
	}
	if err := lease.CheckHolder(o.Holder()); err != nil || !strings.HasPrefix(o.Holder(), "vfx pid ") {
		t.Errorf("Holder = %q: %v", o.Holder(), err)
	}
}

func TestAlive(t *testing.T) {
	self := Self("", time.Now())
	dead := self
	dead.PID = testutil.DeadPID(t)
	recycled := self // the pid runs, but it is another process
	recycled.Start++
	otherBoot := self
	otherBoot.Boot = "00000000-0000-0000-0000-000000000000"
	unknownStart := self
	unknownStart.Start, unknownStart.Boot = 0, ""
	for _, tt := range []struct {
		name string
		o    Owner
		want bool
	}{
		{"this process", self, true},
		{"an exited process", dead, false},
		{"a recycled pid", recycled, false},
		{"a process of another boot", otherBoot, false},
		{"a record without start time or boot", unknownStart, true},
		{"no pid", Owner{}, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.o.Alive(); got != tt.want {
				t.Errorf("Alive(%+v) = %v, want %v", tt.o, got, tt.want)
			}
		})
	}
}

func TestParse(t *testing.T) {
	good := Self("http://127.0.0.1:8000", time.Now())
	tests := []struct {
		name, in, errHas string
	}{
		{name: "round trip", in: string(good.Marshal())},
		{name: "with a newline", in: string(good.Marshal()) + "\n"},
		{name: "not json", in: "pid=4", errHas: "invalid character"},
		{name: "empty", in: "", errHas: "unexpected end"},
		{name: "no pid", in: `{"host":"h"}`, errHas: "pid 0"},
		{name: "control character", in: `{"pid":4,"host":"a\nb"}`, errHas: "host"},
		{name: "too large", in: `{"pid":4}` + strings.Repeat(" ", MaxRecordSize), errHas: "limit"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o, err := Parse([]byte(tt.in))
			if tt.errHas != "" {
				if err == nil || !strings.Contains(err.Error(), tt.errHas) {
					t.Fatalf("Parse = %+v, %v; want an error with %q", o, err, tt.errHas)
				}
				return
			}
			if err != nil || !o.Same(good) || o.Address != good.Address || !o.Since.Equal(good.Since) {
				t.Fatalf("Parse = %+v, %v; want %+v", o, err, good)
			}
		})
	}
}

func FuzzParse(f *testing.F) {
	f.Add(Self("http://127.0.0.1:8000", time.Unix(0, 0)).Marshal())
	f.Add([]byte(`{"pid":1}`))
	f.Add([]byte(`{"pid":-1,"since":"x"}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		o, err := Parse(b)
		if err != nil {
			return
		}
		// What parses survives a round trip and describes itself on one line.
		o2, err := Parse(o.Marshal())
		if err != nil || !o2.Same(o) || o2.Host != o.Host || o2.Address != o.Address {
			t.Fatalf("round trip of %+v: %+v, %v", o, o2, err)
		}
		if s := o.String(); strings.Contains(s, "\n") {
			t.Fatalf("String of %+v spans lines: %q", o, s)
		}
		if err := lease.CheckHolder(o.Holder()); err != nil {
			t.Fatalf("Holder of %+v: %v", o, err)
		}
	})
}

func TestHeldError(t *testing.T) {
	o := Owner{PID: 4242, Host: "h1", Address: "http://127.0.0.1:8000"}
	var err error = &HeldError{What: "deployment vfx", Owner: o}
	if !errors.Is(err, ErrOwned) {
		t.Error("not ErrOwned")
	}
	if got, want := err.Error(), "deployment vfx is owned by a running vfx (pid 4242 on h1, load balancer http://127.0.0.1:8000)"; got != want {
		t.Errorf("Error = %q, want %q", got, want)
	}
	if b, _ := json.Marshal(o); !strings.Contains(string(b), `"pid":4242`) {
		t.Errorf("JSON %s", b)
	}
}
