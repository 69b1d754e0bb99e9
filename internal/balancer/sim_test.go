package balancer

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// job is one request of a simulation trace.
type job struct {
	arrival   float64 // seconds
	units     float64 // true cost
	predicted float64 // the estimator's prediction
}

// simTrace is a fixed, seeded trace: Poisson arrivals; 90 % small jobs of
// 1 unit and 10 % big ones of 30; predictions off by lognormal noise
// (σ = 0.3), as an estimator's would be.
func simTrace(n int, rate float64, seed uint64) []job {
	rng := rand.New(rand.NewPCG(seed, 1))
	jobs := make([]job, n)
	t := 0.0
	for i := range jobs {
		t += rng.ExpFloat64() / rate
		u := 1.0
		if rng.Float64() < 0.1 {
			u = 30
		}
		jobs[i] = job{arrival: t, units: u, predicted: u * math.Exp(0.3*rng.NormFloat64())}
	}
	return jobs
}

type running struct {
	job  int
	left float64 // true units left
	done float64 // units done
}

// simulate routes the trace with p over workers of the given speeds (units
// per second), each serving its jobs by processor sharing, and returns each
// job's response time. The balancer sees what a real one would: in-flight
// counts, predicted units left (prediction minus progress) and speeds.
func simulate(t *testing.T, p Policy, speeds []float64, jobs []job, seed uint64) []float64 {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, 2))
	queues := make([][]running, len(speeds))
	resp := make([]float64, len(jobs))
	snap := make([]WorkerState, len(speeds))
	now, next := 0.0, 0
	for next < len(jobs) || slices.ContainsFunc(queues, func(q []running) bool { return len(q) > 0 }) {
		// The earliest completion under processor sharing.
		tDone, wDone := math.Inf(1), -1
		for w, q := range queues {
			for _, r := range q {
				if d := r.left * float64(len(q)) / speeds[w]; now+d < tDone {
					tDone, wDone = now+d, w
				}
			}
		}
		tArr := math.Inf(1)
		if next < len(jobs) {
			tArr = jobs[next].arrival
		}
		tNext := min(tDone, tArr)
		for w, q := range queues {
			share := (tNext - now) * speeds[w] / float64(len(q))
			for i := range q {
				q[i].left -= share
				q[i].done += share
			}
		}
		now = tNext
		if tDone <= tArr {
			q := queues[wDone][:0]
			for _, r := range queues[wDone] {
				if r.left <= 1e-9 {
					resp[r.job] = now - jobs[r.job].arrival
				} else {
					q = append(q, r)
				}
			}
			queues[wDone] = q
			continue
		}
		for w, q := range queues {
			left := 0.0
			for _, r := range q {
				left += max(jobs[r.job].predicted-r.done, 0)
			}
			snap[w] = WorkerState{ID: string(rune('a' + w)), Ready: true, InFlight: len(q), PredictedLeft: left,
				Speed: speeds[w], CPUPercent: min(100, 100*float64(len(q)))}
		}
		w, err := p.Pick(Request{Units: jobs[next].predicted}, snap, rng)
		if err != nil {
			t.Fatalf("pick: %v", err)
		}
		queues[w] = append(queues[w], running{job: next, left: jobs[next].units})
		next++
	}
	return resp
}

func percentile(v []float64, p float64) float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	return s[int(math.Ceil(p*float64(len(s))))-1]
}

// TestSimulatedTailLatency replays deterministic traces of mixed big and
// small jobs at 70 % load under each policy. Routing by predicted finish
// time must give a lower p99 response time than round-robin; on a
// heterogeneous pool (speeds 1, 1, 2 and 4 units/s) also lower than
// least-requests, which ignores speed and job size.
func TestSimulatedTailLatency(t *testing.T) {
	tests := []struct {
		name               string
		speeds             []float64
		seed               uint64
		beatsLeastRequests bool
	}{
		{"heterogeneous pool", []float64{1, 1, 2, 4}, 2024, true},
		{"homogeneous pool", []float64{2, 2, 2, 2}, 7, false},
	}
	const meanUnits = 0.9*1 + 0.1*30
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			capacity := 0.0
			for _, s := range tc.speeds {
				capacity += s
			}
			jobs := simTrace(4000, 0.7*capacity/meanUnits, tc.seed)
			p99 := map[string]float64{}
			for _, name := range allPolicies {
				p, err := New(name)
				if err != nil {
					t.Fatal(err)
				}
				resp := simulate(t, p, tc.speeds, jobs, tc.seed)
				p99[name] = percentile(resp, 0.99)
				t.Logf("%-15s p50 %6.2fs  p99 %7.2fs", name, percentile(resp, 0.5), p99[name])
			}
			if !(p99["cost"] < p99["round-robin"]) {
				t.Errorf("cost p99 %.2fs is not below round-robin's %.2fs", p99["cost"], p99["round-robin"])
			}
			if tc.beatsLeastRequests && !(p99["cost"] < p99["least-requests"]) {
				t.Errorf("cost p99 %.2fs is not below least-requests' %.2fs", p99["cost"], p99["least-requests"])
			}
		})
	}
}

// burstTrace is the course's pattern in the benchmark's proportions:
// bursts of nine requests (two complex ray traces of 0.24 s, five simple
// ones of 0.01 s, a blur of 0.12 s and an enhance of 0.05 s on one core)
// arriving at random over 0.36 s, a burst every 1.2 s; predictions off by
// lognormal noise σ.
func burstTrace(bursts int, seed uint64, sigma float64) []job {
	rng := rand.New(rand.NewPCG(seed, 9))
	sizes := []float64{0.24, 0.01, 0.01, 0.01, 0.01, 0.24, 0.01, 0.12, 0.05}
	var jobs []job
	for b := range bursts {
		for _, u := range sizes {
			at := float64(b)*1.2 + rng.Float64()*0.36
			jobs = append(jobs, job{arrival: at, units: u, predicted: u * math.Exp(sigma*rng.NormFloat64())})
		}
	}
	slices.SortStableFunc(jobs, func(a, b job) int { return cmpFloat(a.arrival, b.arrival) })
	return jobs
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// TestSimulatedHeterogeneousBursts: on a pool of one fast worker and one
// four times slower (a whole core and a quarter of one), with predictions
// off by 30 %, the cost policy keeps the big requests off the slow worker:
// over 20 seeded traces its mean and p99 response times are well below
// least-requests', which splits requests by count.
func TestSimulatedHeterogeneousBursts(t *testing.T) {
	speeds := []float64{1, 0.25}
	stats := map[string][2]float64{} // mean, p99 averaged over the seeds
	for _, name := range []string{"cost", "least-requests"} {
		p, err := New(name)
		if err != nil {
			t.Fatal(err)
		}
		for seed := range uint64(20) {
			resp := simulate(t, p, speeds, burstTrace(30, seed, 0.3), seed)
			sum := 0.0
			for _, r := range resp {
				sum += r
			}
			s := stats[name]
			s[0] += sum / float64(len(resp)) / 20
			s[1] += percentile(resp, 0.99) / 20
			stats[name] = s
		}
		t.Logf("%-15s mean %.3fs p99 %.3fs", name, stats[name][0], stats[name][1])
	}
	c, lr := stats["cost"], stats["least-requests"]
	if !(c[0] < 0.9*lr[0]) {
		t.Errorf("cost mean %.3fs is not below 0.9 × least-requests' %.3fs", c[0], lr[0])
	}
	if !(c[1] < 0.6*lr[1]) {
		t.Errorf("cost p99 %.3fs is not below 0.6 × least-requests' %.3fs", c[1], lr[1])
	}
}
