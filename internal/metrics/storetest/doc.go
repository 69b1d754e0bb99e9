// Package storetest is the conformance suite every metrics.Store
// implementation passes: call Run from the implementation's tests with a
// function that opens a new, empty store.
//
// It checks what package metrics documents for Store: exact round-trips of
// every field of every record kind, append-only storage (a record under a
// stored identity changes nothing; a re-sent batch creates no duplicates),
// atomic validation of batches, each query filter alone and combined, newest-first
// order, limits, empty results, concurrent appends, cancelled contexts and
// Close.
//
// It is test support: it imports testing and package metrics, and must not
// import any Store implementation, database/sql or the AWS SDK.
package storetest
