package print

import (
	"encoding/json"
	"math"
	"strings"
	"testing"
)

// JSON indents one document; JSONLine keeps it on one line; both read
// back, and a value JSON cannot hold is an error with nothing written.
func TestDocuments(t *testing.T) {
	v := map[string]any{"name": "sales", "tables": []string{"orders", "customers"}}
	for _, tc := range []struct {
		name  string
		write func(*strings.Builder, any) error
		lines int
	}{
		{"JSON", func(b *strings.Builder, v any) error { return JSON(b, v) }, 7},
		{"JSONLine", func(b *strings.Builder, v any) error { return JSONLine(b, v) }, 1},
	} {
		var b strings.Builder
		if err := tc.write(&b, v); err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if got := strings.Count(b.String(), "\n"); got != tc.lines {
			t.Errorf("%s wrote %d lines, want %d:\n%s", tc.name, got, tc.lines, b.String())
		}
		var back map[string]any
		if err := json.Unmarshal([]byte(b.String()), &back); err != nil || back["name"] != "sales" {
			t.Errorf("%s: read back %v (%v)", tc.name, back, err)
		}
		b.Reset()
		if err := tc.write(&b, math.NaN()); err == nil || b.Len() != 0 {
			t.Errorf("%s of NaN: error %v, wrote %q; want an error and nothing", tc.name, err, b.String())
		}
	}
}
