//go:build race

package explain

// raceEnabled is true when the tests run under the race detector, which
// makes Parse's regular expressions ten or more times slower: the tests
// that parse every real text at many cut points then cut it at fewer.
const raceEnabled = true
