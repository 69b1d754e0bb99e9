//go:build race

package raytracer

// raceEnabled is set when the tests run under the race detector, which
// makes tracing about ten times slower.
const raceEnabled = true
