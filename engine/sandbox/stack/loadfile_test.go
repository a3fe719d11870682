package stack

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// The built-in stack read from disk, its data files relative to its
// folder, is the stack Default reads from the embedded copy.
func TestLoadFile(t *testing.T) {
	want, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	// A relative path, as a user gives --stack.
	got, err := LoadFile(filepath.Join("default", "stack.yaml"))
	if err != nil {
		t.Fatalf("LoadFile: %v", err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got stack %q with %d buckets, want Default's %q with %d", got.Name, len(got.Buckets), want.Name, len(want.Buckets))
	}
}

func TestLoadFileErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(bad, []byte("stack: s\nregion: us-east-1\nno_such_field: 1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(dir, "nope", "stack.yaml")
	tests := []struct {
		path  string
		errIn []string
	}{
		{missing, []string{missing, "no such file"}},
		{bad, []string{"stack bad.yaml", "no_such_field"}},
		{dir, []string{"is a directory"}},
	}
	for _, tt := range tests {
		_, err := LoadFile(tt.path)
		if err == nil {
			t.Errorf("LoadFile(%s): no error, want one with %q", tt.path, tt.errIn)
			continue
		}
		for _, w := range tt.errIn {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("LoadFile(%s): got %q, want it to hold %q", tt.path, err, w)
			}
		}
	}
}
