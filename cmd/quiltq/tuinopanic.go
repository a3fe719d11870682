//go:build !quiltq_testpanic

package main

// panicKey is empty outside the crash test's build (see tuipanic.go).
const panicKey = ""
