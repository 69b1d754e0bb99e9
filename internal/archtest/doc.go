// Package archtest holds the tests that enforce the architecture of the
// module: the decision packages (workload, instrument, raytracer,
// imageproc, estimator, balancer and the autoscaler's policies) stay free
// of the network, processes, cloud and container SDKs and flag packages,
// and read no files themselves (no direct import of os), so the simulator
// can run the very same code as production. The rules are one table, each
// with its reason, checked with testutil.AssertNoDeps and AssertNoImports;
// other packages state their own rules in their deps_test.go with the same
// check.
//
// It has test files only and is imported by nothing.
package archtest
