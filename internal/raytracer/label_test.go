package raytracer

import "testing"

// TestLabel: the labels of the parser's error messages read as they did
// when they were formatted eagerly.
func TestLabel(t *testing.T) {
	for _, tc := range []struct {
		got  label
		want string
	}{
		{name("eye").part(" x"), "eye x"},
		{name("number of lights"), "number of lights"},
		{numbered("light", 2).field(" position").part(" z"), "light 2 position z"},
		{numbered("light", 0).letter(" attenuation ", 1), "light 0 attenuation b"},
		{numbered("pigment", 3).part(" green"), "pigment 3 green"},
		{numbered("pigment", 1).nth(" s", 0), "pigment 1 s0"},
		{numbered("finish", 4).field(" shiny"), "finish 4 shiny"},
		{numbered("shape", 12).letter(" ", 3), "shape 12 d"},
		{numbered("shape", 5).nth(" point ", 3).part(" y"), "shape 5 point 3 y"},
		{numbered("shape", 7).nth(" face ", 10), "shape 7 face 10"},
		{numbered("shape", 0).field(" number of faces"), "shape 0 number of faces"},
	} {
		if s := tc.got.String(); s != tc.want {
			t.Errorf("%q, want %q", s, tc.want)
		}
	}
}

// TestParseJavaFloat: numbers as java.util.Scanner reads them under
// Locale.US, thousands grouped or not.
func TestParseJavaFloat(t *testing.T) {
	for _, tc := range []struct {
		s    string
		want float64
		ok   bool
	}{
		{"1.5", 1.5, true}, {"-0.25", -0.25, true}, {"+3", 3, true}, {".5", 0.5, true}, {"5.", 5, true},
		{"1e3", 1000, true}, {"2.5E-1", 0.25, true}, {"1,000.5", 1000.5, true}, {"-2,500e1", -25000, true},
		{"1,00", 0, false}, {"0,100", 0, false}, {"1.2.3", 0, false}, {"e5", 0, false}, {"1e", 0, false},
		{"", 0, false}, {"-", 0, false}, {"1e999", 0, false}, {"NaN", 0, false},
	} {
		v, ok := parseJavaFloat(tc.s, 64)
		if ok != tc.ok || ok && v != tc.want {
			t.Errorf("parseJavaFloat(%q) = %v, %v; want %v, %v", tc.s, v, ok, tc.want, tc.ok)
		}
	}
}
