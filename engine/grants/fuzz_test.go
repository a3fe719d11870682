package grants

import (
	"regexp"
	"strings"
	"testing"

	"github.com/quiltq/quiltq/engine"
	"github.com/quiltq/quiltq/engine/iam"
)

// FuzzParseRules: any text either parses into rules with well-formed
// names and access lists, which decide without panicking, or fails with
// an error that starts with the file and a line; never both, never a
// panic.
func FuzzParseRules(f *testing.F) {
	for _, s := range []string{
		rulesText, "[[deny]]\ndatabase = \"hr*\"\n", "[[allow]]\ndatabase = \"\"\n", "allow = [{database = \"a\"}]\n",
		"[[allow]]\ndatabase = 5\n", "[allow]\n", "[[ allow ]] # c\ntable = \"t\"\n", "[[deny]]\nreason = \"\"\"\n[[deny]]\n\"\"\"\n",
		"[[allow]]\naccess = []\ndatabase = \"x\"\n", "x = 1\n",
	} {
		f.Add(s)
	}
	where := regexp.MustCompile(`^g\.toml:[0-9]+[:]`)
	f.Fuzz(func(t *testing.T, text string) {
		r, err := ParseRules("g.toml", text)
		if err != nil {
			if r != nil {
				t.Fatalf("rules and an error")
			}
			if !where.MatchString(err.Error()) {
				t.Fatalf("error %q does not start with the file and a line", err)
			}
			return
		}
		for _, list := range [][]Rule{r.Allow, r.Deny} {
			for _, rule := range list {
				for _, p := range []string{rule.Catalog, rule.Database, rule.Table} {
					if p == "" || badName(p) != "" || p != strings.ToLower(p) {
						t.Fatalf("accepted the pattern %q", p)
					}
				}
				for _, a := range rule.Access {
					if a != engine.Read && a != engine.Write && a != engine.Metadata {
						t.Fatalf("accepted the access %q", a)
					}
				}
				if rule.Access != nil && len(rule.Access) == 0 {
					t.Fatalf("accepted an empty access list")
				}
			}
		}
		for _, ref := range []engine.Ref{
			{Catalog: "awsdatacatalog", Database: "sales", Table: "orders", Access: engine.Read},
			{Catalog: "awsdatacatalog", Database: "*", Table: "*", Access: engine.Metadata},
		} {
			r.Decide(ref, iam.Select)
			r.Offer(ref)
		}
	})
}
