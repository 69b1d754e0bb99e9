package loadgen

import (
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"
)

// times draws up to n arrivals of a.
func times(a Arrivals, seed uint64, n int) (at []time.Duration, slots []int) {
	p := a.process()
	rng := rand.New(rand.NewPCG(seed, 1))
	for range n {
		t, slot, ok := p.next(rng)
		if !ok {
			break
		}
		at, slots = append(at, t), append(slots, slot)
	}
	return at, slots
}

func TestConstant(t *testing.T) {
	at, _ := times(Arrivals{Kind: Constant, Rate: 4}, 1, 5)
	want := []time.Duration{0, 250 * time.Millisecond, 500 * time.Millisecond, 750 * time.Millisecond, time.Second}
	if !slices.Equal(at, want) {
		t.Errorf("%v, want %v", at, want)
	}
}

// TestPoisson: exponential gaps with the rate's mean (a fixed seed, so
// the figure is the same every run).
func TestPoisson(t *testing.T) {
	at, _ := times(Arrivals{Kind: Poisson, Rate: 100}, 7, 20000)
	if !slices.IsSorted(at) {
		t.Fatal("arrivals out of order")
	}
	mean := at[len(at)-1].Seconds() / float64(len(at))
	if math.Abs(mean-0.01) > 0.0005 {
		t.Errorf("mean gap %.5fs, want 0.01s", mean)
	}
}

// TestDiurnal: the rate rises from the low rate to the peak in the
// middle of the period and back.
func TestDiurnal(t *testing.T) {
	a := Arrivals{Kind: Diurnal, Rate: 200, MinRate: 20, Period: 10 * time.Second}
	at, _ := times(a, 3, 3000)
	var first, middle, last int // per second: [0,1), [4.5,5.5), [9,10)
	for _, t := range at {
		switch s := t.Seconds(); {
		case s < 1:
			first++
		case s >= 4.5 && s < 5.5:
			middle++
		case s >= 9 && s < 10:
			last++
		}
		if t >= 10*time.Second {
			break
		}
	}
	// Expected: about 33, 198 and 33 (the rate integrated over each second).
	if first < 15 || first > 55 || last < 15 || last > 55 || middle < 160 || middle > 240 {
		t.Errorf("arrivals in the first, middle and last second: %d %d %d", first, middle, last)
	}
}

// TestBursts: each burst's requests at its start (all at once) or spread
// over its first BurstSpread, each slot once per burst.
func TestBursts(t *testing.T) {
	at, slots := times(Arrivals{Kind: Bursts, Bursts: 3, BurstSize: 4, BurstGap: time.Second}, 1, 100)
	if len(at) != 12 {
		t.Fatalf("%d arrivals, want 12", len(at))
	}
	for i := range at {
		if at[i] != time.Duration(i/4)*time.Second || slots[i] != i%4 {
			t.Errorf("arrival %d at %v slot %d", i, at[i], slots[i])
		}
	}
	a := Arrivals{Kind: Bursts, Bursts: 2, BurstSize: 5, BurstGap: time.Second, BurstSpread: 100 * time.Millisecond}
	at, slots = times(a, 9, 100)
	if len(at) != 10 || !slices.IsSorted(at) {
		t.Fatalf("arrivals %v", at)
	}
	for b := range 2 {
		start := time.Duration(b) * time.Second
		got := slices.Clone(slots[5*b : 5*b+5])
		slices.Sort(got)
		if !slices.Equal(got, []int{0, 1, 2, 3, 4}) {
			t.Errorf("burst %d slots %v", b, slots[5*b:5*b+5])
		}
		for _, x := range at[5*b : 5*b+5] {
			if x < start || x >= start+100*time.Millisecond {
				t.Errorf("burst %d: arrival at %v", b, x)
			}
		}
	}
	if a.Duration() != 1100*time.Millisecond || !a.Finite() {
		t.Errorf("duration %v", a.Duration())
	}
}

func TestPhases(t *testing.T) {
	ps, err := ParsePhases("quiet:2s@1,burst:1s@50,rest:3s@0")
	if err != nil {
		t.Fatal(err)
	}
	a := Arrivals{Kind: Phases, Phases: ps}
	if got := FormatPhases(ps); got != "quiet:2s@1,burst:1s@50,rest:3s@0" {
		t.Errorf("FormatPhases %s", got)
	}
	at, _ := times(a, 5, 10_000)
	quiet, burst := 0, 0
	for _, x := range at {
		switch {
		case x < 2*time.Second:
			quiet++
		case x < 3*time.Second:
			burst++
		default:
			t.Errorf("arrival at %v, in a phase of rate 0", x)
		}
	}
	if quiet > 8 || burst < 30 || burst > 70 {
		t.Errorf("%d arrivals in the quiet phase, %d in the burst", quiet, burst)
	}
	if a.Duration() != 6*time.Second {
		t.Errorf("duration %v", a.Duration())
	}
	if ps, err := ParsePhases("10s@2"); err != nil || ps[0].Name != "phase1" || ps[0].Rate != 2 {
		t.Errorf("unnamed phase: %+v %v", ps, err)
	}
	for _, bad := range []string{"quiet:2s", "x:soon@1", "x:2s@fast"} {
		if _, err := ParsePhases(bad); err == nil {
			t.Errorf("ParsePhases(%q) accepted it", bad)
		}
	}
}

// TestArrivalsValidate: every problem named by its field.
func TestArrivalsValidate(t *testing.T) {
	for _, tc := range []struct {
		name string
		a    Arrivals
		want []string
	}{
		{"ok poisson", Arrivals{Kind: Poisson, Rate: 5}, nil},
		{"no rate", Arrivals{Kind: Constant}, []string{"rate: 0 requests/s is not in (0, 100000]"}},
		{"too fast", Arrivals{Kind: Poisson, Rate: 1e9}, []string{"rate: 1e+09"}},
		{"diurnal", Arrivals{Kind: Diurnal, Rate: 5, MinRate: 6}, []string{"min-rate: 6 requests/s is not in [0, rate=5]", "period: 0s is not in"}},
		{"bursts", Arrivals{Kind: Bursts, BurstSize: -1, BurstGap: time.Second, BurstSpread: 2 * time.Second},
			[]string{"bursts: 0 is not in [1, 100000]", "burst-size: -1", "burst-spread: 2s is not in [0, burst-gap=1s]"}},
		{"phases", Arrivals{Kind: Phases, Phases: []Phase{{Duration: 0, Rate: -1}}}, []string{"phases[0]: duration 0s", "phases[0]: -1 requests/s"}},
		{"unknown", Arrivals{Kind: "sometimes"}, []string{`arrival: "sometimes": want one of poisson, constant, bursts, diurnal, phases`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.a.Validate()
			if tc.want == nil {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil {
				t.Fatal("no error")
			}
			lines := strings.Split(err.Error(), "\n")
			if len(lines) != len(tc.want) {
				t.Errorf("problems:\n%v\nwant %d", err, len(tc.want))
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error\n%v\nlacks %q", err, w)
				}
			}
		})
	}
}
