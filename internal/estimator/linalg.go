package estimator

import "math"

// solveSPD solves a·x = b for a symmetric positive definite n×n matrix a
// (n <= numFeatures) by Cholesky decomposition. It reports false when a is
// not positive definite (to working precision).
func solveSPD(a [numFeatures][numFeatures]float64, b vec, n int) (vec, bool) {
	var l [numFeatures][numFeatures]float64
	for i := range n {
		for j := 0; j <= i; j++ {
			sum := a[i][j]
			for k := range j {
				sum -= l[i][k] * l[j][k]
			}
			if i == j {
				if !(sum > 1e-12) {
					return vec{}, false
				}
				l[i][i] = math.Sqrt(sum)
			} else {
				l[i][j] = sum / l[j][j]
			}
		}
	}
	// Forward substitution l·y = b, then back substitution lᵀ·x = y.
	var y, x vec
	for i := range n {
		sum := b[i]
		for k := range i {
			sum -= l[i][k] * y[k]
		}
		y[i] = sum / l[i][i]
	}
	for i := n - 1; i >= 0; i-- {
		sum := y[i]
		for k := i + 1; k < n; k++ {
			sum -= l[k][i] * x[k]
		}
		x[i] = sum / l[i][i]
	}
	for i := range n {
		if math.IsNaN(x[i]) || math.IsInf(x[i], 0) {
			return vec{}, false
		}
	}
	return x, true
}
