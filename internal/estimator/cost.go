package estimator

// Where a prediction came from.
const (
	// SourcePrior: no sample of the workload has been learnt yet; the
	// prediction is the workload's prior.
	SourcePrior = "prior"
	// SourceModel: the prior corrected by the fitted regression.
	SourceModel = "model"
	// SourceMemory: the same input with the same cost parameters was seen
	// before; the prediction is what it cost then.
	SourceMemory = "memory"
	// SourceProbe: the estimate of a probe of the input itself
	// (workload.Features.ProbeUnits), corrected by a regression fitted on
	// the probed requests once there are any.
	SourceProbe = "probe"
)

// Sources lists the sources of a prediction.
var Sources = []string{SourcePrior, SourceModel, SourceProbe, SourceMemory}

// Cost is a prediction of a request's work units.
type Cost struct {
	// Units is the predicted number of work units (>= 0, never NaN or Inf).
	Units float64 `json:"units"`
	// Low and High bound a rough interval around Units (about two standard
	// deviations of the log error): Low <= Units <= High.
	Low  float64 `json:"low"`
	High float64 `json:"high"`
	// Confidence in [0, 1] grows with the number of samples learnt and
	// falls with their residual spread.
	Confidence float64 `json:"confidence"`
	// Source is SourcePrior, SourceModel, SourceProbe or SourceMemory.
	Source string `json:"source"`
	// CPUSeconds is Units in CPU time on a worker of speed 1, from the
	// workload's learnt cost per unit (Model.UnitCosts).
	CPUSeconds float64 `json:"cpu_seconds"`
}
