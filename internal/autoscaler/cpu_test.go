package autoscaler

import "testing"

func TestCPUScripts(t *testing.T) {
	// testConfig: high 50 %, low 15 %, low must last the 20 s stable
	// window, changes at least 10 s (the scale-down delay) apart.
	low3 := func(cpu1, cpu2, cpu3 float64) Observation {
		return Observation{Workers: ws(withCPU(ready("w1", 100, 1), cpu1), withCPU(ready("w2", 0, 0), cpu2), withCPU(ready("w3", 50, 1), cpu3))}
	}
	tests := []struct {
		name  string
		cfg   func(*Config)
		steps []step
	}{
		{
			name: "unknown CPU is no data: no scale-in",
			steps: every(0, 60, Observation{Workers: ws(ready("w1", 0, 0), ready("w2", 0, 0))},
				want{desired: 2, reason: []string{"CPU unknown for all 2 ready workers: no data, no scale-in"}}),
		},
		{
			name: "partly unknown CPU: no scale-in",
			steps: every(0, 60, Observation{Workers: ws(withCPU(ready("w1", 0, 0), 3), ready("w2", 0, 0))},
				want{desired: 2, reason: []string{"CPU unknown for 1 of 2 ready workers: no scale-in"}}),
		},
		{
			name: "partly unknown CPU still scales out",
			steps: one(0, Observation{Workers: ws(withCPU(ready("w1", 0, 0), 90), ready("w2", 0, 0))},
				want{desired: 3, launch: 1, reason: []string{"average CPU 90.0% of 1 ready workers > 50% high"}}),
		},
		{
			name: "high CPU adds one worker at a time, waits for boots and cooldowns, stops at max",
			steps: script(
				one(0, Observation{Workers: ws(withCPU(ready("w1", 0, 0), 80))}, want{desired: 2, launch: 1}),
				one(2, Observation{Workers: ws(withCPU(ready("w1", 0, 0), 80), booting("b1", 0))}, want{desired: 2, reason: []string{"but 1 already booting"}}),
				one(4, Observation{Workers: ws(withCPU(ready("w1", 0, 0), 80), withCPU(ready("b1", 0, 0), 70))}, want{desired: 2, reason: []string{"average CPU 75.0%", "last change was 4s ago (cooldown 10s)"}}),
				one(10, Observation{Workers: ws(withCPU(ready("w1", 0, 0), 80), withCPU(ready("b1", 0, 0), 70))}, want{desired: 3, launch: 1}),
				one(12, Observation{Workers: ws(withCPU(ready("w1", 0, 0), 80), withCPU(ready("b1", 0, 0), 70), booting("b2", 10))}, want{desired: 3}),
				one(14, Observation{Workers: ws(withCPU(ready("w1", 0, 0), 90), withCPU(ready("b1", 0, 0), 90), withCPU(ready("b2", 0, 0), 90))}, want{desired: 3}),
				one(20, Observation{Workers: ws(withCPU(ready("w1", 0, 0), 90), withCPU(ready("b1", 0, 0), 90), withCPU(ready("b2", 0, 0), 90))}, want{desired: 4, launch: 1}),
				one(30, Observation{Workers: ws(withCPU(ready("w1", 0, 0), 95), withCPU(ready("b1", 0, 0), 95), withCPU(ready("b2", 0, 0), 95), withCPU(ready("b3", 0, 0), 95))},
					want{desired: 4, reason: []string{"at max 4"}}),
			),
		},
		{
			name: "sustained low CPU drains the least-loaded worker, one per cooldown, down to min",
			steps: script(
				one(0, low3(5, 10, 8), want{desired: 3, reason: []string{"< 15% low for 0s of 20s"}}),
				every(2, 18, low3(5, 10, 8), want{desired: 3}),
				one(20, low3(5, 10, 8), want{desired: 2, drain: []string{"w2"}, reason: []string{"low for 20s", "drain w2"}}),
				// The low period starts over after a change.
				every(22, 40, Observation{Workers: ws(withCPU(ready("w1", 100, 1), 5), draining("w2"), withCPU(ready("w3", 50, 1), 5))}, want{desired: 2}),
				one(42, Observation{Workers: ws(withCPU(ready("w1", 100, 1), 5), withCPU(ready("w3", 50, 1), 5))}, want{desired: 1, drain: []string{"w3"}}),
				every(44, 90, Observation{Workers: ws(withCPU(ready("w1", 100, 1), 1))}, want{desired: 1, reason: []string{"at min 1"}}),
			),
		},
		{
			name: "a CPU spike restarts the low period",
			steps: script(
				every(0, 10, low3(5, 10, 8), want{desired: 3}),
				one(12, low3(30, 30, 30), want{desired: 3, reason: []string{"within 15–50%"}}),
				every(14, 32, low3(5, 10, 8), want{desired: 3}),
				one(34, low3(5, 10, 8), want{desired: 2, drain: []string{"w2"}}),
			),
		},
		{
			name: "unhealthy worker is replaced",
			steps: script(
				one(0, Observation{Workers: ws(withCPU(ready("w1", 0, 0), 30), unhealthy("w2", -10))},
					want{desired: 2, launch: 1, replace: []string{"w2"}, reason: []string{"replace w2 (unhealthy 10s) and launch 1"}}),
			),
		},
		{
			name:  "empty pool is filled to min",
			cfg:   func(c *Config) { c.Min = 2 },
			steps: one(0, Observation{}, want{desired: 2, launch: 2, reason: []string{"raised to min 2"}}),
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := testConfig()
			if tc.cfg != nil {
				tc.cfg(&cfg)
			}
			runScript(t, mustNew(t, "cpu", cfg), tc.steps)
		})
	}
}

func TestFixedScripts(t *testing.T) {
	cfg := testConfig()
	cfg.Min, cfg.Max = 2, 2
	runScript(t, mustNew(t, "fixed", cfg), script(
		one(0, Observation{}, want{desired: 2, launch: 2, reason: []string{"fixed pool of 2", "launch 2"}}),
		one(2, Observation{Workers: ws(booting("a", 0), booting("b", 0))}, want{desired: 2}),
		// Heavy load changes nothing.
		one(4, Observation{Workers: ws(ready("a", 1e9, 10), ready("b", 1e9, 10)), QueuedUnits: 1e12, QueueLen: 1000}, want{desired: 2}),
		every(6, 10, Observation{Workers: ws(ready("a", 0, 0), unhealthy("b", 6))}, want{desired: 2}),
		one(12, Observation{Workers: ws(ready("a", 0, 0), unhealthy("b", 6))}, want{desired: 2, launch: 1, replace: []string{"b"}}),
		one(14, Observation{Workers: ws(ready("a", 20, 1), ready("c", 0, 0), ready("d", 10, 1), ready("e", 5, 1))}, want{desired: 2, drain: []string{"c"}}),
	))
}
