package estimator

import "math"

const (
	// zClamp bounds how far (in window standard deviations) a request's
	// features may lie from the window's mean before the fit stops
	// extrapolating; beyond that the prior carries the difference.
	zClamp = 4
	// maxLogAdjust bounds the fit's correction of the prior (a factor of
	// e^40 either way), so a wild fit cannot overflow.
	maxLogAdjust = 40
	// minVariance is the variance under which a feature counts as constant
	// over the window and is left out of the fit.
	minVariance = 1e-10
)

type sample struct {
	x vec
	y float64
}

// learner fits one workload: a ridge regression of
// y = log1p(actual) − log1p(prior) on standardised features, over a ring of
// the most recent samples, from running sums updated in O(numFeatures²) per
// sample and recomputed from the ring once per pass to cancel rounding
// drift.
type learner struct {
	ring      []sample
	next      int // ring slot of the next sample
	evictions int // since the sums were last recomputed

	n   int
	sx  vec
	sxx [numFeatures][numFeatures]float64
	sy  float64
	syy float64
	sxy vec

	fit fit
}

// fit is a solved regression.
type fit struct {
	n      int     // samples it was fitted on
	a      float64 // intercept at the window's mean features
	b      vec     // slopes on standardised features
	mu     vec     // window means of the features
	sigma  vec     // window standard deviations (0: feature left out)
	rss    float64 // in-sample residual sum of squares
	sEff   float64 // log-space error: residual spread blended with the prior's
	weight float64 // ridge penalty it was fitted with
}

func newLearner(window int, priorWeight, priorSigma float64) *learner {
	l := &learner{ring: make([]sample, 0, window)}
	l.fit = fit{sEff: priorSigma, weight: priorWeight}
	return l
}

// add learns one sample and refits.
func (l *learner) add(x vec, y float64, priorWeight, priorSigma float64) {
	if len(l.ring) < cap(l.ring) {
		l.ring = append(l.ring, sample{x, y})
		l.accumulate(x, y, 1)
	} else {
		old := l.ring[l.next]
		l.ring[l.next] = sample{x, y}
		l.accumulate(old.x, old.y, -1)
		l.accumulate(x, y, 1)
		l.evictions++
		if l.evictions >= len(l.ring) {
			l.recompute()
		}
	}
	l.next = (l.next + 1) % cap(l.ring)
	l.fit = l.solve(priorWeight, priorSigma)
}

func (l *learner) accumulate(x vec, y float64, sign float64) {
	l.n += int(sign)
	l.sy += sign * y
	l.syy += sign * y * y
	for i := range numFeatures {
		l.sx[i] += sign * x[i]
		l.sxy[i] += sign * x[i] * y
		for j := 0; j <= i; j++ {
			l.sxx[i][j] += sign * x[i] * x[j]
		}
	}
}

// recompute rebuilds the running sums from the ring.
func (l *learner) recompute() {
	l.n, l.sx, l.sxx, l.sy, l.syy, l.sxy = 0, vec{}, [numFeatures][numFeatures]float64{}, 0, 0, vec{}
	for _, s := range l.ring {
		l.accumulate(s.x, s.y, 1)
	}
	l.evictions = 0
}

// solve fits the ridge regression from the running sums. With standardised
// features z (centred on the window means, so Σz = 0) the intercept and the
// slopes separate:
//
//	a = Σy / (n + λ')                   (shrunk towards 0, i.e. the prior)
//	b = (ZᵀZ + λ'I)⁻¹ Zᵀy               (ridge)
//	sEff² = (λ·σp² + RSS) / (λ + n)     (the prior's spread counts as λ samples)
//
// where λ is the prior weight and σp the prior's log sigma. The penalty λ'
// is λ scaled by the ratio of the residual variance to the prior's,
// sEff²/σp², between 1 % and 100 %: the posterior mean if both errors were
// Gaussian, so consistent data overrides the prior sooner than noisy data.
// sEff comes from a first fit with penalty λ.
func (l *learner) solve(lambda, priorSigma float64) fit {
	first := l.solveWith(lambda, lambda, priorSigma)
	ratio := first.sEff * first.sEff / (priorSigma * priorSigma)
	return l.solveWith(lambda*max(0.01, min(1, ratio)), lambda, priorSigma)
}

// solveWith fits with ridge penalty penalty; lambda weighs the prior's
// spread in sEff.
func (l *learner) solveWith(penalty, lambda, priorSigma float64) fit {
	f := fit{n: l.n, sEff: priorSigma, weight: penalty}
	if l.n == 0 {
		return f
	}
	n := float64(l.n)
	ybar := l.sy / n
	// Active features and their moments.
	var idx [numFeatures]int
	m := 0
	for i := range numFeatures {
		f.mu[i] = l.sx[i] / n
		v := l.sxx[i][i]/n - f.mu[i]*f.mu[i]
		if v > minVariance && !math.IsInf(v, 0) {
			f.sigma[i] = math.Sqrt(v)
			idx[m] = i
			m++
		}
	}
	var a [numFeatures][numFeatures]float64
	var r vec
	for p := range m {
		i := idx[p]
		r[p] = (l.sxy[i] - n*f.mu[i]*ybar) / f.sigma[i]
		for q := 0; q <= p; q++ {
			j := idx[q]
			c := (l.sxx[i][j] - n*f.mu[i]*f.mu[j]) / (f.sigma[i] * f.sigma[j])
			a[p][q], a[q][p] = c, c
		}
		a[p][p] += penalty
	}
	var bz vec
	if m > 0 {
		if sol, ok := solveSPD(a, r, m); ok {
			bz = sol
		}
	}
	f.a = l.sy / (n + penalty)
	rss := l.syy - 2*f.a*l.sy + n*f.a*f.a
	for p := range m {
		i := idx[p]
		f.b[i] = bz[p]
		rss -= 2 * bz[p] * r[p]
		for q := range m {
			zz := a[p][q]
			if p == q {
				zz -= penalty
			}
			rss += bz[p] * zz * bz[q]
		}
	}
	if !(rss > 0) || math.IsInf(rss, 0) {
		rss = 0
	}
	f.rss = rss
	f.sEff = math.Sqrt((lambda*priorSigma*priorSigma + rss) / (lambda + n))
	return f
}

// adjust is the fit's log correction of the prior for features x.
func (f *fit) adjust(x vec) float64 {
	if f.n == 0 {
		return 0
	}
	adj := f.a
	for i := range numFeatures {
		if f.sigma[i] == 0 {
			continue
		}
		z := (x[i] - f.mu[i]) / f.sigma[i]
		adj += f.b[i] * max(-zClamp, min(zClamp, z))
	}
	if math.IsNaN(adj) {
		return 0
	}
	return max(-maxLogAdjust, min(maxLogAdjust, adj))
}

// rawCoefficients expresses the fit on raw (unstandardised) features:
// adjust(x) ≈ intercept + Σ slope_i·x_i within the clamp.
func (f *fit) rawCoefficients() (intercept float64, slopes vec) {
	intercept = f.a
	for i := range numFeatures {
		if f.sigma[i] == 0 {
			continue
		}
		slopes[i] = f.b[i] / f.sigma[i]
		intercept -= slopes[i] * f.mu[i]
	}
	return intercept, slopes
}

// accuracy keeps the absolute percentage errors of the most recent
// predictions.
type accuracy struct {
	ring []float64
	next int
}

func (a *accuracy) add(ape float64) {
	if len(a.ring) < cap(a.ring) {
		a.ring = append(a.ring, ape)
	} else {
		a.ring[a.next] = ape
	}
	a.next = (a.next + 1) % cap(a.ring)
}

func (a *accuracy) mape() (float64, int) {
	if len(a.ring) == 0 {
		return 0, 0
	}
	sum := 0.0
	for _, e := range a.ring {
		sum += e
	}
	return sum / float64(len(a.ring)), len(a.ring)
}
