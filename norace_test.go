//go:build !race

package clientele_test

// raceEnabled says whether the test binary runs under the race detector
// (see race_test.go).
const raceEnabled = false
