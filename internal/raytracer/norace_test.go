//go:build !race

package raytracer

const raceEnabled = false
