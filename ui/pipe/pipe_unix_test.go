//go:build unix

package pipe

import (
	"os"
	"path/filepath"
	"testing"
)

func pollable() bool { return true }

// wasClosed tells the /dev/null the Go runtime opens read-write in place
// of a closed standard descriptor from what a shell's redirections open.
func TestWasClosed(t *testing.T) {
	regular := filepath.Join(t.TempDir(), "out")
	tests := []struct {
		name string
		path string
		flag int
		want bool
	}{
		{"/dev/null read-write, as the runtime opens it", os.DevNull, os.O_RDWR, true},
		{"/dev/null write-only, as >/dev/null opens it", os.DevNull, os.O_WRONLY, false},
		{"a file read-write", regular, os.O_RDWR | os.O_CREATE, false},
	}
	for _, tt := range tests {
		f, err := os.OpenFile(tt.path, tt.flag, 0o600)
		if err != nil {
			t.Fatal(err)
		}
		if got := wasClosed(f); got != tt.want {
			t.Errorf("%s: got %v, want %v", tt.name, got, tt.want)
		}
		f.Close()
	}
}
