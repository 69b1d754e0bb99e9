// Package providertest holds what the tests and benchmarks of the provider
// implementations (local/, docker/) share.
//
// It is for tests and benchmarks only: import it from _test.go files,
// never from production code. It must not import any provider
// implementation.
package providertest
