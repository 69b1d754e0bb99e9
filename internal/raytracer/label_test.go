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
