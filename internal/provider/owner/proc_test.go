package owner

import (
	"bytes"
	"os"
	"testing"
)

func TestParseStat(t *testing.T) {
	full := "19763 (cat) R 19760 19760 11747 0 -1 4194304 99 0 0 0 0 0 0 0 20 0 1 0 814513 3133440 383 18446744073709551615"
	tests := []struct {
		name, in string
		want     Stat
		ok       bool
	}{
		{name: "a whole line", in: full, want: Stat{State: 'R', Flags: 4194304, Start: 814513}, ok: true},
		{name: "running, cut before the start time", in: "20269 (cat) R 20153 20153 16838 0 -1 4194304 98 0 0", want: Stat{State: 'R', Flags: 4194304}, ok: true},
		{name: "exiting", in: "77 (vfx) D 1 77 77 0 -1 4194884 98 0 0", want: Stat{State: 'D', Flags: 4194884}, ok: true},
		{name: "name with parentheses and spaces", in: "5 (a) Z (b) Z 1 5 5 0 -1 4 0", want: Stat{State: 'Z', Flags: 4}, ok: true},
		{name: "start time not a number", in: "5 (x) S 1 5 5 0 -1 4 0 0 0 0 0 0 0 0 20 0 1 0 soon 1 1", ok: false},
		{name: "no name", in: "5 R 1 5 5 0 -1 4", ok: false},
		{name: "too short", in: "5 (x) R 1 5", ok: false},
		{name: "flags not a number", in: "5 (x) R 1 5 5 0 -1 lots", ok: false},
		{name: "state of two letters", in: "5 (x) RR 1 5 5 0 -1 4", ok: false},
		{name: "two spaces before the state", in: "5 (x)  R 1 5 5 0 -1 4", ok: false},
		{name: "empty", in: "", ok: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := ParseStat([]byte(tt.in))
			if got != tt.want || ok != tt.ok {
				t.Errorf("ParseStat(%q) = %+v, %v; want %+v, %v", tt.in, got, ok, tt.want, tt.ok)
			}
		})
	}
	// This process runs, is not exiting and has a start time.
	if st, ok := ReadStat(os.Getpid()); !ok || !st.Running() || st.Exiting() || st.Start == 0 {
		t.Errorf("own stat: %+v, %v", st, ok)
	}
	if _, ok := ReadStat(0); ok {
		t.Error("ReadStat(0) found a process")
	}
}

func FuzzParseStat(f *testing.F) {
	f.Add([]byte("20269 (cat) R 20153 20153 16838 0 -1 4194304 98 0 0"))
	f.Add([]byte("5 (a) Z (b) Z 1 5 5 0 -1 4 0"))
	f.Add([]byte("19763 (cat) R 19760 19760 11747 0 -1 4194304 99 0 0 0 0 0 0 0 20 0 1 0 814513 3133440 383"))
	f.Add([]byte(")"))
	f.Fuzz(func(t *testing.T, b []byte) {
		st, ok := ParseStat(b)
		if ok && (st.State == ' ' || !bytes.Contains(b, []byte{')', ' ', st.State})) {
			t.Fatalf("ParseStat(%q) = state %q", b, st.State)
		}
	})
}
