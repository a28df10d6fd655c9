//go:build race

package main

// The tests run with the race detector: so does the tool they build.
func init() { raceEnabled = true }
