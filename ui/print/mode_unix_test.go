//go:build unix

package print

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// An exported file gets the mode any new file of the user's gets (0666
// under the umask), as the shell's > gives it. It was 0600 whatever the
// umask, the mode of the temporary file it is written in, so a colleague
// or a web server could not read an export written to a shared
// directory. (Not parallel: the umask is the process's.)
func TestWriteFileModeFollowsUmask(t *testing.T) {
	cols, rows := typedResult()
	for _, tt := range []struct {
		umask int
		want  os.FileMode
	}{
		{0o022, 0o644},
		{0o077, 0o600},
		{0o002, 0o664},
	} {
		old := syscall.Umask(tt.umask)
		path := filepath.Join(t.TempDir(), "x.csv")
		_, err := WriteFile(path, &sliceSource{cols: cols, rows: rows})
		syscall.Umask(old)
		if err != nil {
			t.Fatal(err)
		}
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if got := fi.Mode().Perm(); got != tt.want {
			t.Errorf("umask %03o: the file's mode is %03o, want %03o", tt.umask, got, tt.want)
		}
	}
}
