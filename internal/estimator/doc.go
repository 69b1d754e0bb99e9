// Package estimator predicts what a request will cost, in the work units its
// workload counts, before it runs, and learns from what requests actually
// cost. It also learns how fast each worker gets through work units.
//
// A prediction starts from a prior derived from each workload's own unit
// definition (see RaytracerPrior, BlurPrior and EnhancePrior). As requests
// complete, Observe (live) and Train (history from the metrics store) feed a
// per-workload ridge regression of the log ratio between actual units and
// the prior on a few log-features of the request, fitted on a bounded window
// of recent samples; the ridge penalty shrinks the fit towards the prior, so
// the prior dominates while samples are few. A request probed before it
// runs (package probe; workload.Features.ProbeUnits) is predicted from the
// probe's estimate instead, corrected by a regression of its own fitted on
// the probed samples; every sample also teaches the prior's correction, for
// the requests too small to probe. An exact memory, a bounded LRU
// keyed by the input hash and the parameters that change cost, answers
// repeated inputs with the units they cost last time.
//
// The package is pure policy code shared by the load balancer and the
// simulator: it takes value inputs and time as arguments, and must not import
// net/http, the AWS SDK, os/exec, or the metrics store.
package estimator
