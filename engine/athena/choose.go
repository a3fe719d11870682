package athena

import (
	"fmt"
	"sort"
	"strings"
)

// TabulatorSuffix ends the name of every Quilt Tabulator data catalog
// ("quilt-<stack>-tabulator"); the Quilt catalog recognises one by it
// (quiltdata/quilt, catalog/app/containers/Bucket/Tabulator/requests.ts,
// TABULATOR_CATALOG_SUFFIX).
const TabulatorSuffix = "-tabulator"

// IsTabulatorCatalog reports whether a data catalog's name is that of a
// Quilt Tabulator catalog, as the Quilt catalog recognises one.
func IsTabulatorCatalog(name string) bool {
	return strings.HasSuffix(strings.ToLower(name), TabulatorSuffix)
}

// TabulatorChoice is which data catalog is taken for the stack's
// Tabulator catalog, and why.
type TabulatorChoice struct {
	// Name is the chosen catalog, "" when none of the confirmed catalogs
	// is a Tabulator catalog.
	Name string
	// Candidates are the confirmed Tabulator catalogs, sorted.
	Candidates []string
	// Why says how Name was chosen among several candidates; "" when
	// there was one or none.
	Why string
}

// ChooseTabulatorCatalog picks the Tabulator catalog among confirmed:
// the data catalogs the caller's GetDataCatalog confirmed (AwsDataCatalog
// aside). The Quilt catalog takes the first whose name ends in
// "-tabulator" in its sorted list of confirmed catalogs
// (catalog/app/containers/Queries/Athena/model/requests.ts,
// fetchCatalogNames: GetDataCatalog per catalog, then list.sort();
// Bucket/Tabulator/requests.ts, resolveTabulatorCatalog: the first
// ending in the suffix). An account may hold several Quilt stacks, each
// with its own Tabulator catalog, and the first in sorted order may be
// another stack's: so when this stack's catalog is known (ours: its name,
// with where the name came from) and confirmed, it is chosen instead.
// Catalog names compare case-insensitively, as Athena's do.
func ChooseTabulatorCatalog(confirmed []string, ours, oursFrom string) TabulatorChoice {
	var c TabulatorChoice
	for _, n := range confirmed {
		if IsTabulatorCatalog(n) {
			c.Candidates = append(c.Candidates, n)
		}
	}
	sort.Strings(c.Candidates)
	if len(c.Candidates) == 0 {
		return c
	}
	c.Name = c.Candidates[0]
	if ours != "" {
		for _, n := range c.Candidates {
			if strings.EqualFold(n, ours) {
				c.Name = n
				if len(c.Candidates) > 1 {
					c.Why = fmt.Sprintf("%s of the %d Tabulator catalogs (%s) is this stack's", n, len(c.Candidates), strings.Join(c.Candidates, ", "))
					if oursFrom != "" {
						c.Why += " (" + oursFrom + ")"
					}
				}
				return c
			}
		}
	}
	if len(c.Candidates) > 1 {
		c.Why = fmt.Sprintf("%s is the first of the %d Tabulator catalogs (%s) in sorted order, as the Quilt catalog chooses; ", c.Name, len(c.Candidates), strings.Join(c.Candidates, ", "))
		if ours != "" {
			c.Why += "this stack's, " + ours + ", is not among them"
		} else {
			c.Why += "which is this stack's cannot be told (no Quilt catalog config.json with an analyticsBucket)"
		}
	}
	return c
}

// StackOfWorkgroup is the Quilt stack a workgroup belongs to, told from
// its name when it is a Quilt user workgroup,
// QuiltUserAthena-<stack>-NonManagedRoleWorkgroup (quiltdata/quilt,
// docs/advanced-features/tabulator.md), else "".
func StackOfWorkgroup(name string) string {
	rest, ok := strings.CutPrefix(name, "QuiltUserAthena-")
	if !ok {
		return ""
	}
	stack, ok := strings.CutSuffix(rest, "-NonManagedRoleWorkgroup")
	if !ok {
		return ""
	}
	return stack
}
