// Package testutil holds what the module's tests and benchmark programs
// share: a TestMain that provides the vfx binary (built once per test
// process) and checks for leaked goroutines, the repository root and the
// seed data, free ports on 127.0.0.1, running and watching vfx processes
// (and the local workers' pids),
// the original system's client scripts, a log buffer safe for concurrent
// writers, an exact comparison of images that says where they differ,
// image payloads for requests (a PNG, a decompression bomb, a texture bomb,
// a wrapped data URL), a hostile load on a server's memory and the peak
// memory and CPU time of a process, and checks of what a package imports.
//
// It is for tests and benchmarks only: import it from _test.go files and
// from the programs under bench/, never from production code. It must not
// import any package of this module, so that every package's internal
// tests can use it without an import cycle.
package testutil
