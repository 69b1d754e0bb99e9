package worker

import (
	"testing"
	"time"
)

func TestCPUPercent(t *testing.T) {
	for _, tc := range []struct {
		name      string
		prev, cur time.Duration
		elapsed   time.Duration
		cores     float64
		want      float64
	}{
		{"idle", time.Second, time.Second, time.Second, 2, 0},
		{"one of two cores busy", 0, time.Second, time.Second, 2, 50},
		{"all cores busy", 0, 4 * time.Second, time.Second, 4, 100},
		{"capped at 100", 0, 3 * time.Second, time.Second, 2, 100},
		{"no time passed", 0, time.Second, 0, 2, 0},
		{"clock went backwards", 2 * time.Second, time.Second, time.Second, 2, 0},
		{"no cores", 0, time.Second, time.Second, 0, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := cpuPercent(procUsage{CPU: tc.prev}, procUsage{CPU: tc.cur}, tc.elapsed, tc.cores)
			if got != tc.want {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}

func TestParseStatmRSS(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   string
		want uint64
		err  bool
	}{
		{"linux", "2834 1093 567 1 0 1534 0\n", 1093 * 4096, false},
		{"one field", "2834", 0, true},
		{"not a number", "1 x 3", 0, true},
		{"empty", "", 0, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseStatmRSS([]byte(tc.in), 4096)
			if (err != nil) != tc.err || got != tc.want {
				t.Errorf("got %d, %v; want %d, error %v", got, err, tc.want, tc.err)
			}
		})
	}
}

func TestReadProcUsage(t *testing.T) {
	u, err := readProcUsage()
	if err != nil {
		t.Fatal(err)
	}
	if u.CPU <= 0 || u.RSS < 1<<20 {
		t.Errorf("usage %+v: want CPU > 0 and RSS of at least 1 MiB", u)
	}
}
