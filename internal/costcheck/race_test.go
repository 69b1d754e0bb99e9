//go:build race

package costcheck

// raceEnabled is set under the race detector, which makes the workloads
// about ten times slower.
const raceEnabled = true
