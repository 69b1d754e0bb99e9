// Package costcheck scores the load balancer's cost predictions in
// process: it draws a `vfx load` mix, predicts each request as the load
// balancer does (the features of the request's header, the probe, the
// estimator), runs the real workload for the units it actually costs,
// teaches the estimator, and reports the mean absolute percentage error
// per workload and per prediction source over a range of requests.
//
// It is measurement code for tests and bench/predict; it serves nothing.
package costcheck
