package workbench

import (
	"strings"
	"testing"

	"github.com/quiltq/quiltq/config"
	"github.com/quiltq/quiltq/engine"
	"github.com/quiltq/quiltq/engine/athena"
	"github.com/quiltq/quiltq/ui/status"
)

// The config's keys, theme and mouse reach the workbench's look; the
// front end's NO_COLOR and --mouse too.
func TestLookOf(t *testing.T) {
	s := &config.Settings{Path: "config.toml", UI: config.UI{Theme: "light", Mouse: true, Keys: []config.KeyOverride{
		{Name: "global.run", Keys: []string{"f9"}, Line: 4},
		{Name: "results.export", Keys: []string{}, Line: 5},
	}}}
	look, err := LookOf(s, false, false)
	if err != nil {
		t.Fatal(err)
	}
	if ks := look.Keys.Global.Run.Keys(); len(ks) != 1 || ks[0] != "f9" || look.Keys.Results.Export.Enabled() || !look.Mouse || look.Theme.NoColor {
		t.Errorf("look: run %q, export enabled %v, mouse %v, no colour %v; want [f9], false, true, false", ks, look.Keys.Results.Export.Enabled(), look.Mouse, look.Theme.NoColor)
	}
	dark, _ := LookOf(&config.Settings{UI: config.UI{Theme: "dark"}}, false, false)
	if look.Theme.Keyword.GetForeground() == dark.Theme.Keyword.GetForeground() {
		t.Error("the light theme has the dark theme's keyword colour")
	}
	if look, _ = LookOf(&config.Settings{UI: config.UI{Theme: "dark"}}, true, true); !look.Theme.NoColor || !look.Mouse {
		t.Errorf("NO_COLOR and --mouse: no colour %v, mouse %v; want true, true", look.Theme.NoColor, look.Mouse)
	}
}

// A bad [keys] entry is an Invalid error naming the file's line and the
// binding.
func TestLookOfBadKeys(t *testing.T) {
	s := &config.Settings{Path: "/home/u/.config/quiltq/config.toml", UI: config.UI{Keys: []config.KeyOverride{{Name: "global.rnu", Keys: []string{"f9"}, Line: 2}}}}
	_, err := LookOf(s, false, false)
	want := `/home/u/.config/quiltq/config.toml:2: [keys] "global.rnu": no such binding`
	if engine.KindOf(err) != engine.Invalid || err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("got %v (kind %v), want an Invalid error with %q", err, engine.KindOf(err), want)
	}
}

// The status line's user and role come from an assumed role's ARN; any
// other principal is shown whole; the catalog defaults to Glue's.
func TestIdentityOf(t *testing.T) {
	for _, tt := range []struct {
		arn, catalog string
		want         status.Identity
	}{
		{"arn:aws:sts::123456789012:assumed-role/ReadQuilt/alice", "", status.Identity{User: "alice", Role: "ReadQuilt", Workgroup: "wg", Catalog: athena.GlueCatalog, Database: "db"}},
		{"arn:aws:iam::123456789012:user/bob", "quilt-tabulator", status.Identity{User: "arn:aws:iam::123456789012:user/bob", Workgroup: "wg", Catalog: "quilt-tabulator", Database: "db"}},
		{"not an arn", "", status.Identity{User: "not an arn", Workgroup: "wg", Catalog: athena.GlueCatalog, Database: "db"}},
	} {
		if got := identityOf(tt.arn, "wg", tt.catalog, "db"); got != tt.want {
			t.Errorf("identityOf(%q): got %+v, want %+v", tt.arn, got, tt.want)
		}
	}
}
