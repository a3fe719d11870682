package keys

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"charm.land/bubbles/v2/key"
)

func TestEveryBindingHasKeysAndHelp(t *testing.T) {
	km := Default()
	for _, e := range km.Entries() {
		h := e.Binding.Help()
		if len(e.Binding.Keys()) == 0 || h.Desc == "" || h.Key == "" {
			t.Errorf("%s.%s has keys %q, help %+v", e.Group, e.Name, e.Binding.Keys(), h)
		}
	}
}

func TestRunHasAnAlternativeToCtrlEnter(t *testing.T) {
	km := Default()
	ks := strings.Join(km.Global.Run.Keys(), " ")
	if !strings.Contains(ks, "ctrl+enter") || !strings.Contains(ks, "f5") || !strings.Contains(ks, "ctrl+r") {
		t.Fatalf("run keys %q, want ctrl+enter, f5 and ctrl+r", ks)
	}
}

func TestRemap(t *testing.T) {
	km := Default()
	if err := km.Remap(map[string][]string{"global.run": {"f9"}, "results.export": nil}); err != nil {
		t.Fatal(err)
	}
	if got := km.Global.Run.Keys(); len(got) != 1 || got[0] != "f9" || km.Global.Run.Help().Key != "f9" {
		t.Fatalf("run keys %q help %q after remap, want f9", got, km.Global.Run.Help().Key)
	}
	if km.Results.Export.Enabled() {
		t.Fatal("results.export is still bound after an empty remap")
	}
	err := km.Remap(map[string][]string{"global.rnu": {"x"}})
	if err == nil || !strings.Contains(err.Error(), `"global.rnu"`) {
		t.Fatalf("remapping an unknown name: %v, want an error naming it", err)
	}
	var re *RemapError
	if !errors.As(err, &re) || re.Name != "global.rnu" {
		t.Fatalf("error %v is not a *RemapError naming global.rnu", err)
	}
	err = km.Remap(map[string][]string{"editor.copy_cell": {"y"}})
	if err == nil || !strings.Contains(err.Error(), `did you mean "results.copy_cell"`) {
		t.Fatalf("a binding under the wrong group: %v, want a suggestion", err)
	}
	// A bad key refuses the whole remap: nothing changes.
	err = km.Remap(map[string][]string{"global.quit": {"f12"}, "global.help": {"ctlr+h"}})
	if !errors.As(err, &re) || re.Name != "global.help" || !strings.Contains(err.Error(), `"ctlr" is not a modifier`) {
		t.Fatalf("a misspelt modifier: %v", err)
	}
	if got := km.Global.Quit.Keys(); strings.Join(got, " ") != "ctrl+q f10" {
		t.Fatalf("quit keys %q after a refused remap, want them unchanged", got)
	}
}

func TestCheck(t *testing.T) {
	good := []string{"ctrl+x", "f5", "f12", "alt+1", "shift+tab", "ctrl+alt+delete", "G", "?", "$", "pgdown", "ctrl+space", "esc", "+", "ctrl++"}
	for _, k := range good {
		if err := Check(k); err != nil {
			t.Errorf("Check(%q) = %v, want nil", k, err)
		}
	}
	bad := map[string]string{
		"":            "empty",
		"alt+ctrl+x":  "order",
		"shift+g":     "the character itself",
		"ctrl+return": "neither a key name",
		"f0":          "neither a key name",
		"cmd+x":       "not a modifier",
		"page down":   "neither a key name",
	}
	for k, want := range bad {
		if err := Check(k); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Check(%q) = %v, want an error saying %q", k, err, want)
		}
	}
}

// Every default key passes Check: the defaults are what the config shows
// as examples.
func TestDefaultsPassCheck(t *testing.T) {
	km := Default()
	for _, e := range km.Entries() {
		for _, k := range e.Binding.Keys() {
			if err := Check(k); err != nil {
				t.Errorf("%s.%s: %v", e.Group, e.Name, err)
			}
		}
	}
}

// Help lists Entries: every binding of the keymap must be there, so that
// every action is reachable from help (a field added to a group and
// forgotten in Entries fails here).
func TestEntriesListEveryBinding(t *testing.T) {
	km := Default()
	listed := map[*key.Binding]bool{}
	for _, e := range km.Entries() {
		if listed[e.Binding] {
			t.Errorf("%s.%s is listed twice", e.Group, e.Name)
		}
		listed[e.Binding] = true
	}
	groups := reflect.ValueOf(&km).Elem()
	for i := 0; i < groups.NumField(); i++ {
		g := groups.Field(i)
		for j := 0; j < g.NumField(); j++ {
			b, ok := g.Field(j).Addr().Interface().(*key.Binding)
			if ok && !listed[b] {
				t.Errorf("%s.%s is not in Entries: help would not show it and the config could not remap it", groups.Type().Field(i).Name, g.Type().Field(j).Name)
			}
		}
	}
}

// The footer is generated from the keymap: a remapped key shows
// remapped, an unbound one not at all, and the cancel key leads while a
// query runs.
func TestFooterFollowsTheKeymap(t *testing.T) {
	km := Default()
	if err := km.Remap(map[string][]string{"global.run": {"f9"}, "editor.complete": nil}); err != nil {
		t.Fatal(err)
	}
	text := func(bs []key.Binding) string {
		var out []string
		for _, b := range bs {
			out = append(out, b.Help().Key+" "+b.Help().Desc)
		}
		return strings.Join(out, " · ")
	}
	got := text(km.Footer(PaneEditor, false))
	if !strings.HasPrefix(got, "f9 run") || strings.Contains(got, "complete") || !strings.Contains(got, "f1 all keys") {
		t.Errorf("editor footer %q: want f9 run first, no completion, help", got)
	}
	if got := text(km.Footer(PaneResults, true)); !strings.HasPrefix(got, "esc cancel · y copy") {
		t.Errorf("results footer while running %q: want cancel first, then copy", got)
	}
	// ctrl+enter is not what many terminals send: the footer names f5.
	def := Default()
	if got := text(def.Footer(PaneEditor, false)); !strings.HasPrefix(got, "f5 run · ctrl+n complete") {
		t.Errorf("default editor footer %q: want f5 run and ctrl+n complete first", got)
	}
	for _, p := range []Pane{PaneEditor, PaneResults, PaneCatalog, PaneExplain, PaneHistory, PaneHelp} {
		if len(km.Footer(p, false)) < 3 {
			t.Errorf("pane %d: footer %q is too short", p, text(km.Footer(p, false)))
		}
	}
}
