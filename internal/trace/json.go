package trace

import (
	"encoding/json"
	"fmt"
	"time"
)

// entryJSON is the JSON form of an Entry: times in seconds (arrival,
// send) and milliseconds (latency and costs), so the file reads plainly.
type entryJSON struct {
	entryFields
	AtS       float64 `json:"at_s"`
	SentS     float64 `json:"sent_s,omitempty"`
	LatencyMs float64 `json:"latency_ms,omitempty"`
	CPUMs     float64 `json:"cpu_ms,omitempty"`
	WallMs    float64 `json:"wall_ms,omitempty"`
}

// entryFields is Entry without its methods, so that encoding/json sees
// its plain fields and not its MarshalJSON.
type entryFields Entry

// MarshalJSON writes the entry's JSON form.
func (e Entry) MarshalJSON() ([]byte, error) {
	return json.Marshal(entryJSON{
		entryFields: entryFields(e),
		AtS:         seconds(e.At), SentS: seconds(e.Sent),
		LatencyMs: millis(e.Latency), CPUMs: millis(e.CPU), WallMs: millis(e.Wall),
	})
}

// UnmarshalJSON reads the entry's JSON form; times out of range are an
// error.
func (e *Entry) UnmarshalJSON(b []byte) error {
	var j entryJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	out := Entry(j.entryFields)
	var err error
	for _, f := range []struct {
		name string
		dst  *time.Duration
		v    float64
		conv func(float64) (time.Duration, error)
	}{
		{"at_s", &out.At, j.AtS, fromSeconds},
		{"sent_s", &out.Sent, j.SentS, fromSeconds},
		{"latency_ms", &out.Latency, j.LatencyMs, fromMillis},
		{"cpu_ms", &out.CPU, j.CPUMs, fromMillis},
		{"wall_ms", &out.Wall, j.WallMs, fromMillis},
	} {
		if *f.dst, err = f.conv(f.v); err != nil {
			return fmt.Errorf("%s: %w", f.name, err)
		}
	}
	*e = out
	return nil
}
