package statefile

import (
	"encoding/xml"
	"io"
	"math"
	"strconv"
	"time"
)

// File names the loop writes in the state directory.
const (
	VMStateFile = "VMState.xml"
	ASStateFile = "ASState.xml"
)

// VMState is the state of one worker, as the JSON API serves it.
type VMState struct {
	ID            string    `json:"id"`
	Address       string    `json:"address"`        // host:port
	State         string    `json:"state"`          // booting, ready, draining, unhealthy
	CPULoad       float64   `json:"cpu_load"`       // percent; negative = unknown, written as -1.0
	MemoryUsedMB  int64     `json:"memory_used_mb"` // negative = unknown, written as -1
	InFlight      int       `json:"in_flight"`      // requests running on it
	PredictedWork float64   `json:"predicted_work"` // predicted work units still to do
	Healthy       bool      `json:"healthy"`        // last health check passed
	Timestamp     time.Time `json:"timestamp"`      // when the state was sampled; zero = the time of the export
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
// cpuLoad is a percentage written like Java's Double.toString ("-1.0" when
// unknown, as in the original's allVmInstances.xml), memoryUsed is in MB,
// and timestamp is RFC 3339 in UTC (now for a state without a timestamp).
func WriteVMState(path string, now time.Time, vms []VMState) error {
	return writeAtomic(path, func(w io.Writer) error { return EncodeVMState(w, now, vms) })
}

// EncodeVMState writes the VMState.xml document to w.
func EncodeVMState(w io.Writer, now time.Time, vms []VMState) error {
	doc := xmlVMStates{States: make([]xmlVMState, 0, len(vms))}
	for _, v := range vms {
		ts := v.Timestamp
		if ts.IsZero() {
			ts = now
		}
		cpu := v.CPULoad
		if !(cpu >= 0) || math.IsInf(cpu, 1) {
			cpu = -1
		}
		mem := v.MemoryUsedMB
		if mem < 0 {
			mem = -1
		}
		doc.States = append(doc.States, xmlVMState{
			ID: v.ID, Address: v.Address, State: v.State,
			CPULoad:       javaDouble(cpu),
			MemoryUsed:    mem,
			InFlight:      v.InFlight,
			PredictedWork: number(v.PredictedWork),
			Healthy:       v.Healthy,
			Timestamp:     rfc3339(ts),
		})
	}
	return encode(w, doc)
}

// encode writes an XML declaration and doc indented by two spaces.
func encode(w io.Writer, doc any) error {
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}

// javaDouble formats like Java's Double.toString for the values a CPU load
// takes: the shortest decimal that reads back exactly, with at least one
// digit after the point.
func javaDouble(v float64) string {
	s := strconv.FormatFloat(v, 'f', -1, 64)
	for i := 0; i < len(s); i++ {
		if s[i] == '.' {
			return s
		}
	}
	return s + ".0"
}

// number formats a quantity in plain decimal notation (exponent notation
// from 1e21 up); values that are negative or not numbers are written as 0.
func number(v float64) string {
	switch {
	case !(v >= 0):
		return "0"
	case v >= 1e21:
		return strconv.FormatFloat(v, 'e', -1, 64)
	}
	return strconv.FormatFloat(v, 'f', -1, 64)
}

func rfc3339(t time.Time) string { return t.UTC().Format(time.RFC3339) }
