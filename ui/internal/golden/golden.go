// Package golden checks the views of the workbench's panes against golden
// files under each package's testdata/, rewritten with -update.
package golden

import (
	"flag"
	"os"
	"path/filepath"
	"testing"
)

// update is the -update flag of the test binaries that import golden. A
// test binary that also imports teatest has the flag already (its golden
// package defines it, and initializes first: packages are initialized in
// the order of their import paths): then that one is read.
var update = func() func() bool {
	if f := flag.Lookup("update"); f != nil {
		return func() bool { return f.Value.String() == "true" }
	}
	b := flag.Bool("update", false, "rewrite the golden files")
	return func() bool { return *b }
}()

// Check compares got with testdata/name, or writes it there with -update.
func Check(t testing.TB, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if update() {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("view differs from %s (-update rewrites it)\ngot:\n%s\nwant:\n%s", path, got, want)
	}
}
