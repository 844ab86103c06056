//go:build race

package clientele_test

// raceEnabled says whether the test binary runs under the race detector,
// which makes the library's own work (parsing, validation) about ten times
// slower: the largest tests run a smaller load there.
const raceEnabled = true
