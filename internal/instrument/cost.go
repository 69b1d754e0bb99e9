package instrument

import "time"

// Cost is what one request cost to serve.
type Cost struct {
	// Units are the workload's deterministic work units (see each workload's
	// documentation for what one unit is). Same input, same units.
	Units int64 `json:"units"`
	// CPU is the CPU time of the threads that worked on the request.
	CPU time.Duration `json:"cpu_ns"`
	// Wall is the elapsed time.
	Wall time.Duration `json:"wall_ns"`
}

// Add returns the sum of two costs.
func (c Cost) Add(o Cost) Cost {
	return Cost{Units: c.Units + o.Units, CPU: c.CPU + o.CPU, Wall: c.Wall + o.Wall}
}
