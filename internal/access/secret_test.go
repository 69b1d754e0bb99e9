package access

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
)

const tok = "s3cr3t-t0ken-0123456789abcdef"

func mustSecret(t testing.TB, s string) Secret {
	t.Helper()
	sec, err := ParseSecret(s)
	if err != nil {
		t.Fatal(err)
	}
	return sec
}

func TestParseSecret(t *testing.T) {
	for _, tc := range []struct {
		name, in, want string // want: the token kept, "" for a refusal
		problem        string
	}{
		{"plain", tok, tok, ""},
		{"file with a final newline", tok + "\n", tok, ""},
		{"surrounding white space", "  " + tok + "\r\n", tok, ""},
		{"shortest", "0123456789abcdef", "0123456789abcdef", ""},
		{"empty", "", "", "empty"},
		{"only a newline", "\n", "", "empty"},
		{"too short", "short", "", "5 characters, want at least 16"},
		{"space inside", "0123456789 abcdef", "", "character 11 is not printable ASCII"},
		{"control character", "0123456789abcdef\x00", "", "character 17"},
		{"not ASCII", "0123456789abcdefé", "", "not printable ASCII"},
		{"too long", strings.Repeat("a", MaxSecretLen+1), "", "want at most 4096"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := ParseSecret(tc.in)
			if tc.problem != "" {
				if !errors.Is(err, ErrBadSecret) || !strings.Contains(err.Error(), tc.problem) {
					t.Fatalf("ParseSecret error %v, want ErrBadSecret saying %q", err, tc.problem)
				}
				if !s.Empty() {
					t.Error("a refused token gave a non-empty Secret")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if s.Reveal() != tc.want || s.Empty() {
				t.Errorf("kept %q, want %q", s.Reveal(), tc.want)
			}
		})
	}
}

func TestSecretMatches(t *testing.T) {
	s := mustSecret(t, tok)
	for _, tc := range []struct {
		candidate string
		want      bool
	}{
		{tok, true},
		{tok + "x", false},
		{tok[:len(tok)-1], false},
		{"", false},
		{strings.ToUpper(tok), false},
	} {
		if got := s.Matches(tc.candidate); got != tc.want {
			t.Errorf("Matches(%q) = %v, want %v", tc.candidate, got, tc.want)
		}
	}
	var empty Secret
	if empty.Matches("") || empty.Matches(tok) {
		t.Error("an empty Secret matched")
	}
}

// TestSecretNeverShows: however a Secret is printed, logged or marshalled
// — alone, in a struct, in an unexported field — its token does not
// appear.
func TestSecretNeverShows(t *testing.T) {
	s := mustSecret(t, tok)
	type holder struct {
		Token  Secret
		hidden Secret
		Ptr    *Secret
	}
	h := holder{Token: s, hidden: s, Ptr: &s}
	var out []string
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%d"} {
		out = append(out, fmt.Sprintf(verb, s), fmt.Sprintf(verb, h), fmt.Sprintf(verb, &h))
	}
	out = append(out, fmt.Sprint(s, h), fmt.Sprintln(s, h), s.String(), s.GoString())
	j, err := json.Marshal(h)
	if err != nil {
		t.Fatal(err)
	}
	out = append(out, string(j))
	var logs bytes.Buffer
	for _, hd := range []slog.Handler{slog.NewTextHandler(&logs, nil), slog.NewJSONHandler(&logs, nil)} {
		l := slog.New(hd)
		l.Info("token", "secret", s, "holder", h, "ptr", &s)
		l.Info("wrapped", "err", fmt.Errorf("with %v", s))
	}
	out = append(out, logs.String())
	for _, o := range out {
		if strings.Contains(o, tok) || strings.Contains(o, fmt.Sprintf("%x", tok)) {
			t.Errorf("the token shows in %q", o)
		}
	}
	if !strings.Contains(string(j), `"Token":"[redacted]"`) || !strings.Contains(logs.String(), "secret=[redacted]") {
		t.Errorf("want [redacted] in JSON %s and logs %s", j, logs.String())
	}
	if (Secret{}).String() != "" {
		t.Error("an empty Secret prints something")
	}
}

// FuzzParseSecret: ParseSecret never panics; a kept token is trimmed
// printable ASCII within the bounds, matches itself only, and an error
// never quotes the input.
func FuzzParseSecret(f *testing.F) {
	for _, s := range []string{tok, tok + "\n", "", "short", "0123456789 abcdef", strings.Repeat("z", 5000)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		s, err := ParseSecret(in)
		if err != nil {
			if trimmed := strings.TrimSpace(in); len(trimmed) >= 4 && strings.Contains(err.Error(), trimmed) {
				t.Fatalf("error %q quotes the input", err)
			}
			return
		}
		v := s.Reveal()
		if len(v) < MinSecretLen || len(v) > MaxSecretLen || v != strings.TrimSpace(v) {
			t.Fatalf("kept %q", v)
		}
		if !s.Matches(v) || s.Matches(v+"x") || s.String() != redacted {
			t.Fatalf("token %q: Matches or String wrong", v)
		}
	})
}
