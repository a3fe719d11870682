//go:build unix

package main

import (
	"errors"
	"os"

	"golang.org/x/sys/unix"
)

// pollClosed blocks until the pipe or socket f reports its reader gone
// (POLLERR or POLLHUP, which poll reports whatever events are asked),
// and reports whether it did; false when f cannot be polled.
func pollClosed(f *os.File) bool {
	fds := []unix.PollFd{{Fd: int32(f.Fd()), Events: 0}}
	for {
		_, err := unix.Poll(fds, -1)
		if errors.Is(err, unix.EINTR) {
			continue
		}
		if err != nil {
			return false
		}
		if fds[0].Revents&(unix.POLLERR|unix.POLLHUP) != 0 {
			return true
		}
		if fds[0].Revents&unix.POLLNVAL != 0 {
			return false
		}
	}
}
