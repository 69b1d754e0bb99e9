package raytracer

import (
	"math"
	"testing"
)

func TestTo8(t *testing.T) {
	// Integer colours survive the float round trip, as java.awt.Color's.
	for i := 0; i < 256; i++ {
		if got := to8(byteTo[i]); int(got) != i {
			t.Fatalf("to8(%d/255) = %d", i, got)
		}
	}
	cases := []struct {
		name string
		f    float32
		want uint8
	}{
		{"zero", 0, 0},
		{"one", 1, 255},
		{"rounds half up", 0.5 / 255, 1},
		{"below half", 0.49 / 255, 0},
		{"NaN is 0 as Java's (int) cast", float32(math.NaN()), 0},
		{"grey background", background.r, 128},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := to8(c.f); got != c.want {
				t.Errorf("to8(%v) = %d, want %d", c.f, got, c.want)
			}
		})
	}
}

func TestClampf(t *testing.T) {
	cases := []struct {
		name string
		in   float32
		want float32
	}{
		{"below", -0.5, 0},
		{"above", 1.5, 1},
		{"inside", 0.25, 0.25},
		{"infinity", float32(math.Inf(1)), 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := clampf(c.in); got != c.want {
				t.Errorf("clampf(%v) = %v, want %v", c.in, got, c.want)
			}
		})
	}
	if got := clampf(float32(math.NaN())); got == got {
		t.Errorf("clampf(NaN) = %v, want NaN as Java's Math.max(0, Math.min(1, NaN))", got)
	}
}

func TestAverage4(t *testing.T) {
	one := rgb{1, 1, 1}
	if got := average4(one, one, one, one); got != one {
		t.Errorf("average of white = %v", got)
	}
	got := average4(rgb{1, 0, 0}, rgb{0, 1, 0}, rgb{0, 0, 1}, black)
	if want := (rgb{0.25, 0.25, 0.25}); got != want {
		t.Errorf("average = %v, want %v", got, want)
	}
}
