//go:build !race

package costcheck

const raceEnabled = false
