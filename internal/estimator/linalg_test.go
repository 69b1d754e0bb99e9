package estimator

import (
	"math"
	"testing"
)

func TestSolveSPD(t *testing.T) {
	tests := []struct {
		name   string
		a      [][]float64
		b      []float64
		want   []float64
		wantOK bool
	}{
		{"identity", [][]float64{{1, 0}, {0, 1}}, []float64{3, -4}, []float64{3, -4}, true},
		// a = [[4,2,0],[2,5,1],[0,1,3]], x = [1,2,3] -> b = a·x.
		{"3x3", [][]float64{{4, 2, 0}, {2, 5, 1}, {0, 1, 3}}, []float64{8, 15, 11}, []float64{1, 2, 3}, true},
		{"1x1", [][]float64{{2}}, []float64{5}, []float64{2.5}, true},
		{"singular", [][]float64{{1, 1}, {1, 1}}, []float64{1, 1}, nil, false},
		{"indefinite", [][]float64{{1, 2}, {2, 1}}, []float64{1, 1}, nil, false},
		{"nan", [][]float64{{math.NaN()}}, []float64{1}, nil, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var a [numFeatures][numFeatures]float64
			var b vec
			for i := range tc.a {
				copy(a[i][:], tc.a[i])
				b[i] = tc.b[i]
			}
			x, ok := solveSPD(a, b, len(tc.a))
			if ok != tc.wantOK {
				t.Fatalf("ok = %v, want %v", ok, tc.wantOK)
			}
			for i, w := range tc.want {
				if math.Abs(x[i]-w) > 1e-12 {
					t.Errorf("x = %v, want %v", x[:len(tc.want)], tc.want)
					break
				}
			}
		})
	}
}
