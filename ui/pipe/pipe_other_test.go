//go:build !unix

package pipe

func pollable() bool { return false }
