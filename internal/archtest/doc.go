// Package archtest holds tests that enforce the architecture of the module:
// the policy and compute packages stay free of network, process and cloud
// dependencies, so the simulator can run the very same code as production.
package archtest
