//go:build !unix

package pipe

import "os"

// pollClosed cannot watch a pipe here: a closed stdout is seen at the
// next write only.
func pollClosed(uintptr) bool { return false }

// wasClosed cannot tell here.
func wasClosed(*os.File) bool { return false }
