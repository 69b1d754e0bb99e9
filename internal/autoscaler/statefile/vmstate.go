package statefile

import (
	"encoding/xml"
	"fmt"
	"io"
	"time"

	"github.com/specialvfx/vfx/internal/lifecycle"
)

// File names the loop writes in the state directory.
const (
	VMStateFile = "VMState.xml"
	ASStateFile = "ASState.xml"
)

// VMState is the state of one worker, as the JSON API serves it.
type VMState struct {
	ID            string          `json:"id"`
	Address       string          `json:"address"`        // as its provider gives it: a base URL or host:port
	State         lifecycle.State `json:"state"`          // written as its word (ready, draining, …)
	CPULoad       float64         `json:"cpu_load"`       // percent; negative = unknown, written as -1.0
	MemoryUsedMB  int64           `json:"memory_used_mb"` // negative = unknown, written as -1
	InFlight      int             `json:"in_flight"`      // requests running on it
	PredictedWork float64         `json:"predicted_work"` // predicted work units still to do
	Healthy       bool            `json:"healthy"`        // last health check passed
	Timestamp     time.Time       `json:"timestamp"`      // when the state was sampled; zero = the time of the export
}

type xmlVMStates struct {
	XMLName xml.Name     `xml:"vmStates"`
	States  []xmlVMState `xml:"vmState"`
}

type xmlVMState struct {
	ID            string `xml:"id"`
	Address       string `xml:"address"`
	State         string `xml:"state"`
	CPULoad       string `xml:"cpuLoad"`
	MemoryUsed    int64  `xml:"memoryUsed"`
	InFlight      int    `xml:"inFlight"`
	PredictedWork string `xml:"predictedWork"`
	Healthy       bool   `xml:"vmHealthy"`
	Timestamp     string `xml:"timestamp"`
}

// WriteVMState rewrites path atomically with the state of vms:
//
//	<vmStates><vmState><id/><address/><state/><cpuLoad/><memoryUsed/>
//	<inFlight/><predictedWork/><vmHealthy/><timestamp/></vmState>…</vmStates>
//
// state is the worker's lifecycle state (booting, ready, unhealthy,
// draining or terminated), cpuLoad a percentage written like Java's
// Double.toString ("-1.0" when unknown, as in the original's
// allVmInstances.xml), memoryUsed is in MB, and timestamp is RFC 3339 in
// UTC (now for a state without a timestamp). A state that is not a
// lifecycle state is an error.
func WriteVMState(path string, now time.Time, vms []VMState) error {
	return writeAtomic(path, func(w io.Writer) error { return EncodeVMState(w, now, vms) })
}

// EncodeVMState writes the VMState.xml document to w.
func EncodeVMState(w io.Writer, now time.Time, vms []VMState) error {
	doc := xmlVMStates{States: make([]xmlVMState, 0, len(vms))}
	for _, v := range vms {
		if _, err := v.State.MarshalText(); err != nil {
			return fmt.Errorf("worker %q: %w", v.ID, err)
		}
		ts := v.Timestamp
		if ts.IsZero() {
			ts = now
		}
		mem := v.MemoryUsedMB
		if mem < 0 {
			mem = -1
		}
		doc.States = append(doc.States, xmlVMState{
			ID: v.ID, Address: v.Address, State: v.State.String(),
			CPULoad:       cpuLoad(v.CPULoad),
			MemoryUsed:    mem,
			InFlight:      v.InFlight,
			PredictedWork: number(v.PredictedWork),
			Healthy:       v.Healthy,
			Timestamp:     rfc3339(ts),
		})
	}
	return encode(w, doc)
}
