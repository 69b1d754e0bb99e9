// Package metrics is the metrics store of SpecialVFX@Cloud: the records that
// every served request, every worker sample and every autoscaling decision
// leave behind, the Store interface that keeps them, store URLs and the
// Openers that open them by scheme, and an asynchronous, batching Recorder
// that keeps store writes off the request's critical path.
//
// The cost model trains on these records, so a record carries all the
// request's features (see workload.Features) together with its measured
// cost: deterministic work units, CPU time and wall time. A worker sample's
// health is a lifecycle.State and a decision's action a lifecycle.Action;
// stores keep them as their words.
//
// Implementations live in sub-packages (sqlite, and later dynamodb), each
// with an Opener for its scheme; the commands build the Openers of the
// implementations they link (no package-level registry, no init). Every
// implementation passes the conformance suite in package storetest.
//
// This package is the interface only: it must not import database/sql, an
// SQL driver, the AWS SDK, net/http or os/exec, and the interface speaks no
// SQL.
package metrics
