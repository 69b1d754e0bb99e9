// Package chaos is the standing chaos suite: real `vfx up`, `vfx lb` and
// `vfx worker` processes (and Docker workers) on 127.0.0.1, under a
// steady mixed load sent by internal/loadgen, with one fault injected per
// test — a worker SIGKILLed, SIGSTOPped then SIGCONTed, slowed down, an
// LB SIGKILLed and restarted, the metrics store locked, its disk full, a
// worker container killed or cut off its network. Each test logs one
// line of figures (requests sent, answered, failed and lost, records
// missing from the store, time to recover) and asserts what the system
// promises: no request is lost where a worker fails, and no answered
// request is missing from the store once the store has recovered.
//
// It has no code of its own besides the tests; nothing imports it. Every
// test is bounded in time and in requests; the Docker tests skip, saying
// why, when no Docker engine answers.
package chaos
