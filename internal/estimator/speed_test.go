package estimator

import (
	"encoding/json"
	"math"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestSpeeds(t *testing.T) {
	type obs struct {
		id    string
		units float64
		wall  time.Duration
	}
	tests := []struct {
		name string
		opts SpeedOptions
		obs  []obs
		want map[string]float64 // worker -> Speed
	}{
		{"unknown worker gets the default", SpeedOptions{}, nil, map[string]float64{"w1": DefaultSpeed}},
		{"configured default", SpeedOptions{Default: 10}, nil, map[string]float64{"w1": 10}},
		{"first observation is taken as is", SpeedOptions{}, []obs{{"w1", 1000, time.Second}}, map[string]float64{"w1": 1000}},
		{"moving average", SpeedOptions{Alpha: 0.5}, []obs{{"w1", 1000, time.Second}, {"w1", 2000, 500 * time.Millisecond}},
			map[string]float64{"w1": 2500}},
		{"unknown worker gets the median of known ones", SpeedOptions{}, []obs{{"a", 100, time.Second}, {"b", 300, time.Second}, {"c", 1000, time.Second}},
			map[string]float64{"new": 300, "a": 100}},
		{"median of an even count", SpeedOptions{}, []obs{{"a", 100, time.Second}, {"b", 300, time.Second}},
			map[string]float64{"new": 200}},
		{"bad observations ignored", SpeedOptions{Default: 7}, []obs{
			{"w1", 0, time.Second}, {"w1", -5, time.Second}, {"w1", math.NaN(), time.Second}, {"w1", math.Inf(1), time.Second},
			{"w1", 100, 0}, {"w1", 100, -time.Second}, {"", 100, time.Second}, {"w1", math.MaxFloat64, time.Nanosecond},
		}, map[string]float64{"w1": 7}},
		{"max workers forgets the least recent", SpeedOptions{MaxWorkers: 2, Default: 1}, []obs{{"a", 10, time.Second}, {"b", 20, time.Second}, {"a", 10, time.Second}, {"c", 40, time.Second}},
			map[string]float64{"a": 10, "c": 40, "b": 25}}, // b forgotten: the median of a and c
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := NewSpeeds(tc.opts)
			for _, o := range tc.obs {
				s.Observe(o.id, o.units, o.wall)
			}
			for id, want := range tc.want {
				if got := s.Speed(id); math.Abs(got-want) > 1e-9*want {
					t.Errorf("Speed(%q) = %v, want %v", id, got, want)
				}
			}
		})
	}
}

func TestSpeedsForgetLookupSnapshot(t *testing.T) {
	s := NewSpeeds(SpeedOptions{Default: 5})
	s.Observe("a", 100, time.Second)
	s.Observe("b", 300, time.Second)
	if v, ok := s.Lookup("a"); !ok || v != 100 {
		t.Errorf("Lookup(a) = %v, %v", v, ok)
	}
	if _, ok := s.Lookup("zz"); ok {
		t.Error("Lookup of an unknown worker reported it known")
	}
	s.Forget("a")
	if _, ok := s.Lookup("a"); ok {
		t.Error("forgotten worker still known")
	}
	if got := s.Speed("a"); got != 300 {
		t.Errorf("Speed of forgotten worker = %v, want the median 300", got)
	}
	snap := s.Snapshot()
	if snap.Fallback != 300 || len(snap.Workers) != 1 || snap.Workers["b"] != (WorkerSpeed{Speed: 300, Samples: 1}) {
		t.Errorf("Snapshot = %+v", snap)
	}
	if _, err := json.Marshal(snap); err != nil {
		t.Errorf("marshal: %v", err)
	}
	s.Forget("b")
	if got := s.Speed("b"); got != 5 {
		t.Errorf("Speed with nothing known = %v, want the default 5", got)
	}
}

func TestSpeedOptionsValidate(t *testing.T) {
	if err := (SpeedOptions{}).Validate(); err != nil {
		t.Errorf("zero options: %v", err)
	}
	err := SpeedOptions{Alpha: 2, Default: math.NaN(), MaxWorkers: -1}.Validate()
	for _, want := range []string{"alpha", "default", "max workers"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Validate = %v, want it to name %q", err, want)
		}
	}
}

func TestSpeedsConcurrentUse(t *testing.T) {
	s := NewSpeeds(SpeedOptions{MaxWorkers: 16})
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 500 {
				id := "w" + strconv.Itoa((g*7+i)%24)
				switch i % 4 {
				case 0, 1:
					s.Observe(id, float64(1000+i), time.Duration(1+i)*time.Millisecond)
				case 2:
					if v := s.Speed(id); !(v > 0) || math.IsInf(v, 0) {
						t.Errorf("Speed = %v", v)
					}
				default:
					_ = s.Snapshot()
					if i%40 == 3 {
						s.Forget(id)
					}
				}
			}
		})
	}
	wg.Wait()
	if n := len(s.Snapshot().Workers); n > 16 {
		t.Errorf("%d workers tracked, over the bound of 16", n)
	}
}
