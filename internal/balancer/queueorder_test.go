package balancer

import (
	"testing"
	"time"
)

func TestQueueOrderCompare(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	at := func(s float64) time.Time { return t0.Add(time.Duration(s * float64(time.Second))) }
	aging := 2 * time.Second
	tests := []struct {
		name string
		ord  QueueOrder
		a, b Waiting
		now  float64
		want int
	}{
		{"spf: the smaller goes first", QueueSPF, Waiting{at(1), 5}, Waiting{at(0), 50}, 1.5, -1},
		{"spf: the bigger goes after", QueueSPF, Waiting{at(0), 50}, Waiting{at(1), 5}, 1.5, 1},
		{"spf: equal units, the older first", QueueSPF, Waiting{at(0), 5}, Waiting{at(1), 5}, 1.5, -1},
		{"spf: an overdue request goes before a smaller one", QueueSPF, Waiting{at(0), 50}, Waiting{at(1), 5}, 2, -1},
		{"spf: of two overdue, the older first", QueueSPF, Waiting{at(1), 5}, Waiting{at(0), 50}, 5, 1},
		{"spf: same arrival, same units", QueueSPF, Waiting{at(0), 5}, Waiting{at(0), 5}, 1, 0},
		{"spf with no aging is fifo", QueueSPF, Waiting{at(0), 50}, Waiting{at(1), 5}, 1, -1},
		{"fifo: the older first whatever the units", QueueFIFO, Waiting{at(0), 50}, Waiting{at(1), 5}, 1.5, -1},
		{"fifo: the younger after", QueueFIFO, Waiting{at(1), 5}, Waiting{at(0), 50}, 1.5, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ag := aging
			if tt.name == "spf with no aging is fifo" {
				ag = 0
			}
			if got := tt.ord.Compare(tt.a, tt.b, ag, at(tt.now)); got != tt.want {
				t.Errorf("Compare = %d, want %d", got, tt.want)
			}
		})
	}
}

func TestParseQueueOrder(t *testing.T) {
	for _, o := range []QueueOrder{QueueSPF, QueueFIFO} {
		got, err := ParseQueueOrder(o.String())
		if err != nil || got != o {
			t.Errorf("ParseQueueOrder(%q) = %v, %v", o.String(), got, err)
		}
	}
	if _, err := ParseQueueOrder("lifo"); err == nil {
		t.Error("ParseQueueOrder(lifo): no error")
	}
}

func FuzzParseQueueOrder(f *testing.F) {
	for _, s := range []string{"spf", "fifo", "", "SPF"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		o, err := ParseQueueOrder(s)
		if err == nil && o.String() != s {
			t.Errorf("ParseQueueOrder(%q) = %v", s, o)
		}
	})
}
