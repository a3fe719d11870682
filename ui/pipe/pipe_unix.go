//go:build unix

package pipe

import (
	"errors"
	"os"

	"golang.org/x/sys/unix"
)

// pollClosed blocks until the pipe or socket fd reports its reader gone
// (POLLERR or POLLHUP, which poll reports whatever events are asked),
// and reports whether it did; false when fd cannot be polled (or was
// closed meanwhile: POLLNVAL).
func pollClosed(fd uintptr) bool {
	fds := []unix.PollFd{{Fd: int32(fd), Events: 0}}
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

// wasClosed reports whether the standard descriptor of f was closed when
// quiltq started (`quiltq -e ... >&-`): the Go runtime then puts /dev/null
// there, opened read-write, so that no file or socket opened later takes
// the descriptor. A shell's `>/dev/null` opens it write-only.
func wasClosed(f *os.File) bool {
	fl, err := unix.FcntlInt(f.Fd(), unix.F_GETFL, 0)
	if err != nil {
		return true
	}
	if fl&unix.O_ACCMODE != unix.O_RDWR {
		return false
	}
	var st, null unix.Stat_t
	if unix.Fstat(int(f.Fd()), &st) != nil || unix.Stat("/dev/null", &null) != nil {
		return false
	}
	return st.Mode&unix.S_IFMT == unix.S_IFCHR && st.Rdev == null.Rdev
}
