package worker

import "testing"

func TestParseCPUQuota(t *testing.T) {
	for _, tc := range []struct {
		name  string
		got   func() (float64, bool)
		cores float64
		ok    bool
	}{
		{"v2 half a core", func() (float64, bool) { return parseCPUMax("50000 100000\n") }, 0.5, true},
		{"v2 two cores", func() (float64, bool) { return parseCPUMax("200000 100000") }, 2, true},
		{"v2 no quota", func() (float64, bool) { return parseCPUMax("max 100000\n") }, 0, false},
		{"v2 garbage", func() (float64, bool) { return parseCPUMax("what") }, 0, false},
		{"v1 half a core", func() (float64, bool) { return parseCFSQuota("50000\n", "100000\n") }, 0.5, true},
		{"v1 no quota", func() (float64, bool) { return parseCFSQuota("-1\n", "100000\n") }, 0, false},
		{"v1 zero period", func() (float64, bool) { return parseCFSQuota("50000", "0") }, 0, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cores, ok := tc.got()
			if ok != tc.ok || cores != tc.cores {
				t.Fatalf("got %v, %v; want %v, %v", cores, ok, tc.cores, tc.ok)
			}
		})
	}
}

func TestCPUCapacityIsPositiveAndAtMostNumCPU(t *testing.T) {
	if c := cpuCapacity(); c <= 0 {
		t.Fatalf("cpuCapacity() = %v, want > 0", c)
	}
}
