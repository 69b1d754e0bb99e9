package runner

import (
	"path/filepath"
	"strings"

	"github.com/specialvfx/vfx/internal/autoscaler/statefile"
	"github.com/specialvfx/vfx/internal/lifecycle"
	"github.com/specialvfx/vfx/internal/metrics"
)

// decisionAttrs are the log attributes of a decision; the keys are the
// same for every decision.
func decisionAttrs(d statefile.Decision) []any {
	return []any{
		"policy", d.Policy, "action", d.Action, "from", d.From, "to", d.To,
		"workers", d.Workers, "panic", d.Panic, "reason", d.Reason,
	}
}

// record logs a decision that changed something, stores it and rewrites
// ASState.xml.
func (r *Runner) record(d statefile.Decision) {
	r.log.Info("autoscaling decision", decisionAttrs(d)...)
	if r.rec != nil {
		r.rec.Decision(metrics.Decision{
			Time: d.Time, Policy: d.Policy, Action: d.Action,
			From: d.From, To: d.To, WorkerID: joinIDs(d.Workers, metrics.MaxIDLen),
			Reason: d.Reason,
		})
	}
	r.writeASState()
}

// joinIDs joins ids with commas, leaving out those that would make the
// result longer than limit bytes.
func joinIDs(ids []string, limit int) string {
	var b strings.Builder
	for _, id := range ids {
		n := len(id)
		if b.Len() > 0 {
			n++
		}
		if b.Len()+n > limit {
			break
		}
		if b.Len() > 0 {
			b.WriteByte(',')
		}
		b.WriteString(id)
	}
	return b.String()
}

// writeASState rewrites ASState.xml with the recorded decisions.
func (r *Runner) writeASState() {
	if r.loop.StateDir == "" {
		return
	}
	path := filepath.Join(r.loop.StateDir, statefile.ASStateFile)
	if err := r.decisions.WriteFile(path); err != nil {
		r.log.Warn("cannot write the decisions file", "path", path, "err", err)
	}
}

// writeVMState rewrites VMState.xml with every worker of the pool and,
// when asked for, allVmInstances.xml with the ready ones.
func (r *Runner) writeVMState() {
	if r.loop.StateDir == "" {
		return
	}
	snap := r.pool.Snapshot()
	vms := make([]statefile.VMState, 0, len(snap.Workers))
	for _, w := range snap.Workers {
		vms = append(vms, vmState(w))
	}
	path := filepath.Join(r.loop.StateDir, statefile.VMStateFile)
	if err := statefile.WriteVMState(path, r.clock.Now(), vms); err != nil {
		r.log.Warn("cannot write the workers file", "path", path, "err", err)
	}
	if !r.allVM {
		return
	}
	path = filepath.Join(r.loop.StateDir, statefile.AllVMInstancesFile)
	if err := statefile.WriteAllVMInstances(path, vms); err != nil {
		r.log.Warn("cannot write the original's workers file", "path", path, "err", err)
	}
}

func vmState(w Worker) statefile.VMState {
	cpu := w.CPUPercent
	if cpu < 0 {
		cpu = -1
	}
	return statefile.VMState{
		ID: w.ID, Address: w.Address, State: stateOr(w.State),
		CPULoad: cpu, MemoryUsedMB: w.MemoryMB, InFlight: w.InFlight,
		PredictedWork: w.PredictedLeft, Healthy: w.Healthy, Timestamp: w.Sampled,
	}
}

// stateOr is s, or unhealthy for a value that is not a state (as the
// policy treats it).
func stateOr(s lifecycle.State) lifecycle.State {
	if !s.IsValid() {
		return lifecycle.Unhealthy
	}
	return s
}
