package lease

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestLease(t *testing.T) {
	t0 := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	at := func(s float64) time.Time { return t0.Add(time.Duration(s * float64(time.Second))) }
	type step struct {
		at      float64 // seconds after creation
		renew   string  // holder renewing at that time, "" for none
		prev    string  // the previous holder Renew must return
		expired bool    // Expired after the step
	}
	tests := []struct {
		name  string
		steps []step
	}{
		{name: "expires without renewal", steps: []step{{at: 9.999}, {at: 10, expired: true}}},
		{name: "each renewal gives a whole timeout", steps: []step{
			{at: 8, renew: "a"}, {at: 17.9}, {at: 16, renew: "a", prev: "a"}, {at: 25.9}, {at: 26, expired: true},
		}},
		{name: "a late renewal does not move the deadline back", steps: []step{
			{at: 8, renew: "a"}, {at: 5, renew: "a", prev: "a"}, {at: 17}, {at: 18, expired: true},
		}},
		{name: "another holder takes it over", steps: []step{
			{at: 1, renew: "a"}, {at: 2, renew: "b", prev: "a"}, {at: 11.5},
		}},
		{name: "a renewal after expiry holds it again", steps: []step{
			{at: 12, expired: true}, {at: 13, renew: "b"}, {at: 22},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := New(10*time.Second, t0)
			for i, s := range tt.steps {
				if s.renew != "" {
					if prev := l.Renew(at(s.at), s.renew); prev != s.prev {
						t.Errorf("step %d: Renew returned previous holder %q, want %q", i, prev, s.prev)
					}
				}
				if got := l.Expired(at(s.at)); got != s.expired {
					t.Errorf("step %d: Expired(%vs) = %v, want %v (deadline %v)", i, s.at, got, s.expired, l.Deadline().Sub(t0))
				}
			}
		})
	}
}

func TestState(t *testing.T) {
	t0 := time.Unix(1000, 0)
	l := New(10*time.Second, t0)
	if st := l.State(t0.Add(4 * time.Second)); st.Holder != "" || st.Since != 4*time.Second || st.Remaining != 6*time.Second {
		t.Errorf("before a renewal: %+v", st)
	}
	l.Renew(t0.Add(5*time.Second), "lb")
	if st := l.State(t0.Add(7 * time.Second)); st.Holder != "lb" || st.Since != 2*time.Second || st.Remaining != 8*time.Second {
		t.Errorf("after a renewal: %+v", st)
	}
	if st := l.State(t0.Add(time.Minute)); st.Remaining != 0 {
		t.Errorf("expired: %+v", st)
	}
}

func TestCheckHolder(t *testing.T) {
	tests := []struct {
		name, in, errHas string
	}{
		{name: "owner", in: "vfx pid 4242 on host1 http://127.0.0.1:8000"},
		{name: "empty", in: "", errHas: "empty"},
		{name: "too long", in: strings.Repeat("x", MaxHolderLen+1), errHas: "at most 256"},
		{name: "longest", in: strings.Repeat("x", MaxHolderLen)},
		{name: "control character", in: "a\x01b", errHas: "byte 2"},
		{name: "not ASCII", in: "hôte", errHas: "byte 2"},
		{name: "leading space", in: " a", errHas: "leading or trailing"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckHolder(tt.in)
			if tt.errHas == "" {
				if err != nil {
					t.Fatalf("CheckHolder(%q) = %v", tt.in, err)
				}
				return
			}
			if !errors.Is(err, ErrBadHolder) || !strings.Contains(err.Error(), tt.errHas) {
				t.Fatalf("CheckHolder(%q) = %v; want ErrBadHolder with %q", tt.in, err, tt.errHas)
			}
		})
	}
}

func TestHolder(t *testing.T) {
	for in, want := range map[string]string{
		"vfx pid 1 on h":         "vfx pid 1 on h",
		"  a \t b\n":             "a b",
		"hôte":                   "h?te",
		"":                       "unknown",
		"\x00":                   "?",
		strings.Repeat("é", 300): strings.Repeat("?", MaxHolderLen),
	} {
		if got := Holder(in); got != want {
			t.Errorf("Holder(%q) = %q, want %q", in, got, want)
		}
	}
}

// FuzzHolder checks that Holder always makes a name CheckHolder accepts,
// and leaves a valid one as it is (but for its runs of spaces).
func FuzzHolder(f *testing.F) {
	f.Add("vfx pid 4242 on host1 http://127.0.0.1:8000")
	f.Add(" \x00é ")
	f.Add(strings.Repeat("ab ", 200))
	f.Fuzz(func(t *testing.T, s string) {
		h := Holder(s)
		if err := CheckHolder(h); err != nil {
			t.Fatalf("Holder(%q) = %q, which CheckHolder refuses: %v", s, h, err)
		}
		if CheckHolder(s) == nil && !strings.Contains(s, "  ") && h != s {
			t.Fatalf("Holder changed the valid %q to %q", s, h)
		}
	})
}
