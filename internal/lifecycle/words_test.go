package lifecycle

import (
	"encoding/json"
	"encoding/xml"
	"flag"
	"io"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// word is what State and Action have in common.
type word interface {
	comparable
	IsValid() bool
	String() string
	MarshalText() ([]byte, error)
}

// checkWords checks that each of all has its word of words, in that order,
// through String, MarshalText, parse and UnmarshalText.
func checkWords[T word, P interface {
	*T
	UnmarshalText([]byte) error
}](t *testing.T, all []T, words []string, parse func(string) (T, error)) {
	t.Helper()
	if len(all) != len(words) {
		t.Fatalf("%d values for %d words", len(all), len(words))
	}
	for i, v := range all {
		t.Run(words[i], func(t *testing.T) {
			if !v.IsValid() || v.String() != words[i] {
				t.Errorf("String = %q, valid %v", v.String(), v.IsValid())
			}
			b, err := v.MarshalText()
			if err != nil || string(b) != words[i] {
				t.Errorf("MarshalText = %q, %v", b, err)
			}
			got, err := parse(words[i])
			if err != nil || got != v {
				t.Errorf("parse = %v, %v", got, err)
			}
			var u T
			if err := P(&u).UnmarshalText([]byte(words[i])); err != nil || u != v {
				t.Errorf("UnmarshalText = %v, %v", u, err)
			}
		})
	}
}

func TestStateWords(t *testing.T) {
	// The metrics store holds booting, ready, draining and unhealthy in its
	// worker samples: those words must keep reading back.
	checkWords(t, States(), []string{"booting", "ready", "unhealthy", "draining", "terminated"}, ParseState)
	if !slices.Equal(States(), []State{Booting, Ready, Unhealthy, Draining, Terminated}) {
		t.Errorf("States() = %v", States())
	}
}

func TestActionWords(t *testing.T) {
	checkWords(t, Actions(), []string{"add", "remove", "keep", "replace"}, ParseAction)
	if !slices.Equal(Actions(), []Action{ActionAdd, ActionRemove, ActionKeep, ActionReplace}) {
		t.Errorf("Actions() = %v", Actions())
	}
}

func TestUnknownWords(t *testing.T) {
	tests := []struct {
		name, word, want string
		action           bool
	}{
		{"the load balancer's old pending", "pending", `unknown worker state "pending" (want booting, ready, unhealthy, draining or terminated)`, false},
		{"the load balancer's old ejected", "ejected", `unknown worker state "ejected" (want booting, ready, unhealthy, draining or terminated)`, false},
		{"capitalised", "Ready", `unknown worker state "Ready"`, false},
		{"padded", " ready", `unknown worker state " ready"`, false},
		{"empty state", "", `unknown worker state ""`, false},
		{"a number", "2", `unknown worker state "2"`, false},
		{"the original's delete", "delete", `unknown scaling action "delete" (want add, remove, keep or replace)`, true},
		{"empty action", "", `unknown scaling action ""`, true},
		{"long input is cut", strings.Repeat("x", 1000), `unknown worker state "` + strings.Repeat("x", maxQuoted) + `…"`, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var err error
			if tc.action {
				var a Action
				a, err = ParseAction(tc.word)
				if a != 0 {
					t.Errorf("ParseAction returned %v with the error", a)
				}
				if uerr := a.UnmarshalText([]byte(tc.word)); uerr == nil || a != 0 {
					t.Errorf("UnmarshalText: %v, %v", a, uerr)
				}
			} else {
				var s State
				s, err = ParseState(tc.word)
				if s != 0 {
					t.Errorf("ParseState returned %v with the error", s)
				}
				if uerr := s.UnmarshalText([]byte(tc.word)); uerr == nil || s != 0 {
					t.Errorf("UnmarshalText: %v, %v", s, uerr)
				}
			}
			if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
				t.Fatalf("error %v, want one starting %q", err, tc.want)
			}
		})
	}
}

func TestInvalidValues(t *testing.T) {
	for _, s := range []State{0, Terminated + 1, 255} {
		if s.IsValid() {
			t.Errorf("%d is valid", s)
		}
		if want := "State(" + strconv.Itoa(int(s)) + ")"; s.String() != want {
			t.Errorf("String = %q, want %q", s.String(), want)
		}
		if b, err := s.MarshalText(); err == nil || !strings.Contains(err.Error(), "invalid worker state") {
			t.Errorf("MarshalText(%d) = %q, %v", s, b, err)
		}
	}
	for _, a := range []Action{0, ActionReplace + 1} {
		if a.IsValid() || a.String() != "Action("+strconv.Itoa(int(a))+")" {
			t.Errorf("%d: valid %v, String %q", a, a.IsValid(), a.String())
		}
		if _, err := a.MarshalText(); err == nil || !strings.Contains(err.Error(), "invalid scaling action") {
			t.Errorf("MarshalText(%d): %v", a, err)
		}
	}
}

type doc struct {
	XMLName xml.Name `xml:"worker" json:"-"`
	State   State    `xml:"state,attr" json:"state"`
	Action  Action   `xml:"action" json:"action"`
}

func TestJSONAndXML(t *testing.T) {
	in := doc{State: Unhealthy, Action: ActionReplace}
	j, err := json.Marshal(in)
	if err != nil || string(j) != `{"state":"unhealthy","action":"replace"}` {
		t.Fatalf("JSON %s, %v", j, err)
	}
	var back doc
	if err := json.Unmarshal(j, &back); err != nil || back.State != in.State || back.Action != in.Action {
		t.Fatalf("JSON read back %+v, %v", back, err)
	}
	x, err := xml.Marshal(in)
	if err != nil || string(x) != `<worker state="unhealthy"><action>replace</action></worker>` {
		t.Fatalf("XML %s, %v", x, err)
	}
	back = doc{}
	if err := xml.Unmarshal(x, &back); err != nil || back.State != in.State || back.Action != in.Action {
		t.Fatalf("XML read back %+v, %v", back, err)
	}

	if err := json.Unmarshal([]byte(`{"state":"ejected"}`), &back); err == nil || !strings.Contains(err.Error(), `unknown worker state "ejected"`) {
		t.Errorf("JSON with an unknown state: %v", err)
	}
	if err := xml.Unmarshal([]byte(`<worker><action>delete</action></worker>`), &back); err == nil || !strings.Contains(err.Error(), `unknown scaling action "delete"`) {
		t.Errorf("XML with an unknown action: %v", err)
	}
	if _, err := json.Marshal(doc{}); err == nil || !strings.Contains(err.Error(), "invalid worker state 0") {
		t.Errorf("JSON of a zero state: %v", err)
	}
}

func TestFlags(t *testing.T) {
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	var s State
	var a Action
	fs.TextVar(&s, "state", Ready, "a worker state")
	fs.TextVar(&a, "action", ActionKeep, "a scaling action")
	if s != Ready || a != ActionKeep {
		t.Fatalf("defaults %v %v", s, a)
	}
	if err := fs.Parse([]string{"-state", "draining", "-action=remove"}); err != nil {
		t.Fatal(err)
	}
	if s != Draining || a != ActionRemove {
		t.Fatalf("parsed %v %v", s, a)
	}
	err := fs.Parse([]string{"-state", "gone"})
	if err == nil || !strings.Contains(err.Error(), `unknown worker state "gone"`) {
		t.Fatalf("bad flag: %v", err)
	}
}

// FuzzParse: whatever the input, parsing never panics, a word it accepts
// is the value's own word, and an error returns the zero value and names
// the input.
func FuzzParse(f *testing.F) {
	for _, w := range []string{"booting", "ready", "unhealthy", "draining", "terminated", "add", "remove", "keep", "replace", "", "pending", "READY", "\xff", strings.Repeat("é", 40)} {
		f.Add(w)
	}
	f.Fuzz(func(t *testing.T, word string) {
		s, err := ParseState(word)
		if err == nil {
			if !s.IsValid() || s.String() != word {
				t.Fatalf("ParseState(%q) = %v", word, s)
			}
			if b, err := s.MarshalText(); err != nil || string(b) != word {
				t.Fatalf("MarshalText of %v = %q, %v", s, b, err)
			}
		} else if s != 0 || !strings.HasPrefix(err.Error(), "unknown worker state ") {
			t.Fatalf("ParseState(%q) = %v, %v", word, s, err)
		}
		a, err := ParseAction(word)
		if err == nil {
			if !a.IsValid() || a.String() != word {
				t.Fatalf("ParseAction(%q) = %v", word, a)
			}
		} else if a != 0 || !strings.HasPrefix(err.Error(), "unknown scaling action ") {
			t.Fatalf("ParseAction(%q) = %v, %v", word, a, err)
		}
		if err != nil && len(word) <= maxQuoted && !strings.Contains(err.Error(), strconv.Quote(word)) {
			t.Fatalf("error %q does not quote the input", err)
		}
	})
}
