//go:build !quiltq_testpanic

package workbench

// panicKey is empty outside the crash test's build (see panic.go).
const panicKey = ""
