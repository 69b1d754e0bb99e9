// Package metrics is the metrics store of SpecialVFX@Cloud: the records that
// every served request, every worker sample and every autoscaling decision
// leave behind, the Store interface that keeps them, store URLs and the
// Openers that open them by scheme, and an asynchronous, batching Recorder
// that keeps store writes off the request's critical path and, while the
// store fails, keeps the records queued until it works again: it drops a
// record only for a reason it counts (Drops) and logs.
//
// The cost model trains on these records, so a record carries all the
// request's features (see workload.Features) together with its measured
// cost: deterministic work units, CPU time and wall time. A request leaves
// one record per attempt (RoleAttempt, written by the worker that ran it)
// and one of what the client got (RoleFinal, written by the load
// balancer), or, sent to a worker directly, one RoleDirect record; they
// share the request's RequestID. Records are append-only: each has a Key
// its writer makes (NewID), a client's X-Request-Id is only the
// ClientRequestID beside it, and a store never replaces a stored record. A
// worker sample's health is a lifecycle.State and a decision's action a
// lifecycle.Action; stores keep them as their words.
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
