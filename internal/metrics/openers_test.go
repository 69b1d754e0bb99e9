package metrics

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
)

func TestParseURL(t *testing.T) {
	cases := []struct {
		name, url    string
		scheme, rest string
		err          string
	}{
		{"default", DefaultURL, "sqlite", "vfx-data/metrics.db", ""},
		{"double slash", "sqlite://vfx-data/metrics.db", "sqlite", "vfx-data/metrics.db", ""},
		{"absolute path", "sqlite:///var/lib/vfx.db", "sqlite", "/var/lib/vfx.db", ""},
		{"absolute path without slashes", "sqlite:/var/lib/vfx.db", "sqlite", "/var/lib/vfx.db", ""},
		{"options kept for the implementation", "sqlite:m.db?busy_timeout=1s", "sqlite", "m.db?busy_timeout=1s", ""},
		{"scheme case folded", "SQLite:m.db", "sqlite", "m.db", ""},
		{"other scheme", "dynamodb:vfx-prod?region=us-east-1", "dynamodb", "vfx-prod?region=us-east-1", ""},
		{"colon in rest", "sqlite:C:/data/m.db", "sqlite", "C:/data/m.db", ""},
		{"no scheme", "metrics.db", "", "", "missing scheme"},
		{"empty", "", "", "", "missing scheme"},
		{"empty scheme", ":m.db", "", "", "invalid scheme"},
		{"scheme with digit first", "3d:m.db", "", "", "invalid scheme"},
		{"scheme with slash", "a/b:m.db", "", "", "invalid scheme"},
		{"nothing after scheme", "sqlite:", "", "", "nothing after the scheme"},
		{"only slashes", "sqlite://", "", "", "nothing after the scheme"},
		{"too long", "sqlite:" + strings.Repeat("a", MaxURLLen), "", "", "more than"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			scheme, rest, err := ParseURL(c.url)
			if c.err != "" {
				if err == nil || !strings.Contains(err.Error(), c.err) {
					t.Fatalf("ParseURL(%q) error %v, want one containing %q", c.url, err, c.err)
				}
				return
			}
			if err != nil || scheme != c.scheme || rest != c.rest {
				t.Fatalf("ParseURL(%q) = %q, %q, %v; want %q, %q", c.url, scheme, rest, err, c.scheme, c.rest)
			}
		})
	}
}

func FuzzParseURL(f *testing.F) {
	for _, s := range []string{DefaultURL, "sqlite://x", "sqlite:///x", "a:", ":", "x", "dynamodb:t?region=eu-west-1", "A+b.c-d:e"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, url string) {
		scheme, rest, err := ParseURL(url)
		if err != nil {
			return
		}
		if !validScheme(scheme) || scheme != strings.ToLower(scheme) {
			t.Fatalf("ParseURL(%q) accepted scheme %q", url, scheme)
		}
		if rest == "" || !strings.HasSuffix(url, rest) {
			t.Fatalf("ParseURL(%q) = rest %q, not a non-empty suffix of the URL", url, rest)
		}
		if len(url) > MaxURLLen {
			t.Fatalf("ParseURL accepted a URL of %d bytes", len(url))
		}
		// The parts in the "scheme://rest" form parse to the same parts.
		s2, r2, err := ParseURL(scheme + "://" + rest)
		if err != nil || s2 != scheme || r2 != rest {
			t.Fatalf("ParseURL(%q) = %q, %q; reassembled gives %q, %q, %v", url, scheme, rest, s2, r2, err)
		}
	})
}

// stubStore is a Store that only records that it was opened.
type stubStore struct {
	Store
	rest string
	o    OpenOptions
}

func (s *stubStore) Close() error { return nil }

func TestOpeners(t *testing.T) {
	ops := Openers{
		"regtest": func(_ context.Context, rest string, o OpenOptions) (Store, error) {
			if rest == "fail" {
				return nil, errors.New("boom")
			}
			return &stubStore{rest: rest, o: o}, nil
		},
		"other": func(context.Context, string, OpenOptions) (Store, error) { return nil, errors.New("not this one") },
	}
	ctx := context.Background()
	s, err := ops.OpenWith(ctx, "RegTest://some/where?x=1", OpenOptions{MustExist: true})
	if err != nil {
		t.Fatalf("OpenWith: %v", err)
	}
	if st := s.(*stubStore); st.rest != "some/where?x=1" || !st.o.MustExist {
		t.Errorf("the opener got rest %q and options %+v", st.rest, st.o)
	}
	if s, err := ops.Open(ctx, "regtest:x"); err != nil || s.(*stubStore).o.MustExist {
		t.Errorf("Open: %v, %+v; want the store opened without options", err, s)
	}
	if _, err := ops.Open(ctx, "regtest:fail"); err == nil || !strings.Contains(err.Error(), "boom") || !strings.Contains(err.Error(), "regtest:fail") {
		t.Errorf("a failing opener: error %v, want it wrapped with the URL", err)
	}
	_, err = ops.Open(ctx, "nosuch:x")
	if !errors.Is(err, ErrUnknownScheme) || !strings.Contains(err.Error(), `"nosuch" (registered: other, regtest)`) {
		t.Errorf("an unknown scheme: error %v, want ErrUnknownScheme listing the schemes", err)
	}
	if _, err := ops.Open(ctx, "no-scheme-here"); err == nil {
		t.Error("a URL without a scheme opened")
	}
	if _, err := (Openers{}).Open(ctx, DefaultURL); !errors.Is(err, ErrUnknownScheme) || !strings.Contains(err.Error(), "(registered: )") {
		t.Errorf("no openers: error %v, want ErrUnknownScheme", err)
	}
	if got, want := ops.Schemes(), []string{"other", "regtest"}; !slices.Equal(got, want) {
		t.Errorf("Schemes() = %v, want %v", got, want)
	}
}
