//go:build !race

package proxy

// raceEnabled: the race detector is on (sync.Pool then drops some of what
// it is given back, at random).
const raceEnabled = false
