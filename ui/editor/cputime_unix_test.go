//go:build unix

package editor

import (
	"syscall"
	"time"
)

// cpuTime is the CPU time the test process has used (all its threads,
// the garbage collector's included). Benchmarks report it per operation
// beside the wall time, which a machine shared with other work inflates.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
