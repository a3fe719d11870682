package report

import (
	"strings"
	"testing"

	"github.com/quiltq/quiltq/config"
	"github.com/quiltq/quiltq/engine/session"
)

// Checked writes one aligned row a reference under a header, each name
// quoted whole, and says so when there is none.
func TestChecked(t *testing.T) {
	var b strings.Builder
	Checked(&b, []session.CheckedRef{
		{Catalog: "AwsDataCatalog", Database: "sales", Table: "orders", Access: "read", Verdict: "allowed", Reason: "rule 1"},
		{Catalog: "quilt-tabulator", Database: "my-bucket", Table: "t", Access: "read", Verdict: "denied", Reason: "no rule"},
	})
	lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
	if len(lines) != 3 || !strings.HasPrefix(lines[0], "TABLE") || !strings.Contains(lines[2], `"quilt-tabulator"."my-bucket"."t"`) {
		t.Fatalf("got:\n%s", b.String())
	}
	if col := strings.Index(lines[0], "VERDICT"); strings.Index(lines[1], "allowed") != col || strings.Index(lines[2], "denied") != col {
		t.Errorf("the verdicts are not aligned under VERDICT:\n%s", b.String())
	}
	b.Reset()
	if Checked(&b, nil); b.String() != "no table references\n" {
		t.Errorf("no references: got %q", b.String())
	}
}

// Config names the profile, says when there is no config file, and
// writes every setting with its source, "(unset)" for an empty one.
func TestConfig(t *testing.T) {
	dir := t.TempDir()
	s, err := config.Load(func(k string) string { return map[string]string{"XDG_CONFIG_HOME": dir}[k] }, "")
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	if err := Config(&b, s); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{"profile      " + s.Profile, "(not found: defaults apply)", "\n\n", "(unset)", "output"} {
		if !strings.Contains(out, want) {
			t.Errorf("lacks %q:\n%s", want, out)
		}
	}
	if got, want := strings.Count(out, "\n"), 3+len(s.All()); got != want {
		t.Errorf("%d lines, want %d (two heads, a blank line, one a setting):\n%s", got, want, out)
	}
}
