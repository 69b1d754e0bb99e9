package main

import (
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"
	"time"
)

// reqType is one kind of request of the trace: a ray trace of a seed scene
// at a size.
type reqType struct {
	Name       string
	Scene      string // file name under seed-data/raytracer/scenes
	Cols, Rows int
	Weight     float64 // share of the trace's requests
	sceneBytes []byte
	unloaded   time.Duration // median latency on an idle pool
	objective  time.Duration // latency objective
}

// phase is a stretch of the trace with a constant arrival rate.
type phase struct {
	Name string
	Dur  time.Duration
	Rate float64 // requests per second (Poisson)
}

// arrival is one request of the trace.
type arrival struct {
	At   time.Duration // after the trace's start
	Type int           // index in the request types
}

// parsePhases reads "name:duration:rate,…".
func parsePhases(s string) ([]phase, error) {
	var out []phase
	for _, part := range strings.Split(s, ",") {
		f := strings.Split(part, ":")
		if len(f) != 3 {
			return nil, fmt.Errorf("phase %q: want name:duration:rate", part)
		}
		d, err := time.ParseDuration(f[1])
		if err != nil || d <= 0 {
			return nil, fmt.Errorf("phase %q: bad duration", part)
		}
		var rate float64
		if _, err := fmt.Sscanf(f[2], "%g", &rate); err != nil || rate < 0 || rate > 1000 {
			return nil, fmt.Errorf("phase %q: rate must be in [0, 1000] requests/s", part)
		}
		out = append(out, phase{Name: f[0], Dur: d, Rate: rate})
	}
	return out, nil
}

// schedule draws the trace: Poisson arrivals at each phase's rate, each
// request's type drawn by weight. The same seed gives the same trace.
func schedule(seed uint64, phases []phase, types []reqType, limit int) ([]arrival, error) {
	rng := rand.New(rand.NewPCG(seed, 0x5eed))
	var total float64
	for _, t := range types {
		total += t.Weight
	}
	var out []arrival
	var start time.Duration
	for _, p := range phases {
		if p.Rate > 0 {
			at := start
			for {
				at += time.Duration(rng.ExpFloat64() / p.Rate * float64(time.Second))
				if at >= start+p.Dur {
					break
				}
				x := rng.Float64() * total
				k := 0
				for k < len(types)-1 && x >= types[k].Weight {
					x -= types[k].Weight
					k++
				}
				out = append(out, arrival{At: at, Type: k})
			}
		}
		start += p.Dur
	}
	if len(out) > limit {
		return nil, fmt.Errorf("the trace has %d requests, more than the limit of %d", len(out), limit)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].At < out[j].At })
	return out, nil
}
