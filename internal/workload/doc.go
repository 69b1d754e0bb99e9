// Package workload is the shared vocabulary of SpecialVFX@Cloud: the kinds of
// request it serves and the features of a request that its cost depends on.
// The worker extracts features, the metrics store records them, the
// estimator predicts cost from them and the load balancer routes by that
// prediction.
//
// It is pure data: it must not import net/http, the AWS SDK or os/exec.
package workload
