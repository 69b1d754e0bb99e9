// Package reqstats measures the requests a server answers over a sliding
// window (by default the last 10 s): how many, how many failed, the rate,
// and the 50th and 99th percentiles of their latency. vfx up's live status
// line reads it.
//
// A Window is pure bookkeeping with the time passed in: per-second slots,
// each a histogram of latencies on a logarithmic scale (buckets 2 % apart,
// so a percentile is within 1 % of the true value), so memory stays the
// same at any request rate. Measure is the HTTP middleware that feeds one.
//
// It must not import os/exec or any package of this module.
package reqstats
