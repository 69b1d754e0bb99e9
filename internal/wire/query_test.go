package wire

import (
	"strings"
	"testing"
)

func TestParseQuery(t *testing.T) {
	for _, tc := range []struct {
		name string
		raw  string
		want map[string]string
	}{
		{"plain", "scols=400&srows=300", map[string]string{"scols": "400", "srows": "300"}},
		{"key without value", "aa&scols=1", map[string]string{"aa": "", "scols": "1"}},
		{"url-encoded", "scols=%34%30%30&a%61=true", map[string]string{"scols": "400", "aa": "true"}},
		{"bad escape kept raw", "scols=4%zz", map[string]string{"scols": "4%zz"}},
		{"later duplicate wins", "aa=false&aa=true", map[string]string{"aa": "true"}},
		{"empty parts", "&&scols=1&", map[string]string{"scols": "1"}},
		{"value with =", "k=a=b", map[string]string{"k": "a=b"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := parseQuery(tc.raw)
			if len(got) != len(tc.want) {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
			for k, v := range tc.want {
				if got[k] != v {
					t.Errorf("%s = %q, want %q", k, got[k], v)
				}
			}
		})
	}
}

func TestBoolParam(t *testing.T) {
	for _, tc := range []struct {
		v    string
		want bool
	}{{"true", true}, {"TRUE", true}, {"True", true}, {"false", false}, {"1", false}, {"yes", false}, {"", false}} {
		if got := boolParam(map[string]string{"aa": tc.v}, "aa"); got != tc.want {
			t.Errorf("aa=%q: %v, want %v", tc.v, got, tc.want)
		}
	}
	if boolParam(map[string]string{}, "aa") {
		t.Error("absent aa is true, want false")
	}
}

func TestRaytraceQuery(t *testing.T) {
	got := RaytraceParams{SCols: 400, SRows: 300, WCols: 200, WRows: 150, COff: 1, ROff: -2, AA: true}.Query()
	if want := "scols=400&srows=300&wcols=200&wrows=150&coff=1&roff=-2&aa=true&multi=false"; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}

func TestParseRaytraceQuery(t *testing.T) {
	for _, tc := range []struct {
		name string
		raw  string
		want RaytraceParams
		err  string // "" = no error; else in the message
	}{
		{"original order", "scols=400&srows=300&wcols=400&wrows=300&coff=0&roff=0&aa=false",
			RaytraceParams{SCols: 400, SRows: 300, WCols: 400, WRows: 300}, ""},
		{"any order, flags in any case", "multi=TRUE&roff=-5&coff=3&wrows=2&wcols=1&srows=20&scols=10&aa=True",
			RaytraceParams{SCols: 10, SRows: 20, WCols: 1, WRows: 2, COff: 3, ROff: -5, AA: true, Multi: true}, ""},
		{"spaces around a number", "scols=%204&srows=3+&wcols=4&wrows=3&coff=0&roff=0",
			RaytraceParams{SCols: 4, SRows: 3, WCols: 4, WRows: 3}, ""},
		{"first missing named", "srows=3&wcols=4", RaytraceParams{}, `missing query parameter "scols": want an integer (scene width in pixels)`},
		{"not an integer", "scols=4&srows=3&wcols=4&wrows=3&coff=x&roff=0", RaytraceParams{}, `query parameter coff="x" is not an integer: want an integer (window column offset)`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseRaytraceQuery(tc.raw)
			if tc.err != "" {
				if err == nil || !strings.HasPrefix(err.Error(), tc.err) || StatusOf(err) != 400 {
					t.Fatalf("error %v (status %d), want a 400 starting %q", err, StatusOf(err), tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("got %+v, want %+v", got, tc.want)
			}
			if back, err := parseRaytraceQuery(got.Query()); err != nil || back != got {
				t.Errorf("Query() %q reads back as %+v, %v", got.Query(), back, err)
			}
		})
	}
}
