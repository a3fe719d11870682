//go:build quiltq_testpanic

package workbench

// panicKey is a key that makes the workbench panic inside Update, in a
// binary built with -tags quiltq_testpanic for the test that the terminal
// is restored after a crash. No release binary has it.
const panicKey = "f12"
