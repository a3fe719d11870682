package keys

import (
	"errors"
	"os"
	"path/filepath"
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
		"\u009b":      "not a printable character", // C1 CSI
		"ctrl+\u202e": "not a printable character", // right-to-left override
		"alt+\xff":    "not a printable character", // not UTF-8
		"\x1b":        "neither a key name",
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

// A key of the grid must not also be another grid action's, nor a global
// key (the root matches those first, so the grid would never see it).
func TestResultKeysAreUnambiguous(t *testing.T) {
	km := Default()
	owner := map[string]string{}
	for _, e := range km.Entries() {
		if e.Group != "global" && e.Group != "results" {
			continue
		}
		for _, k := range e.Binding.Keys() {
			if err := Check(k); err != nil {
				t.Errorf("%s.%s: %v", e.Group, e.Name, err)
			}
			if o, ok := owner[k]; ok {
				t.Errorf("key %q is both %s and %s.%s", k, o, e.Group, e.Name)
			}
			owner[k] = e.Group + "." + e.Name
		}
	}
}

// The root model sees global keys before the editor: an editor key that
// is also global would never reach the editor. The one exception is
// ctrl+c, which the root gives the editor when text is selected (copy)
// and keeps for cancel otherwise; and tab, which moves between panes only
// outside the editor. Every default key is one Check accepts.
func TestEditorKeysAreNotShadowed(t *testing.T) {
	km := Default()
	global := map[string]string{}
	for _, e := range km.Entries() {
		if e.Group == "global" {
			for _, k := range e.Binding.Keys() {
				global[k] = e.Name
			}
		}
		for _, k := range e.Binding.Keys() {
			if err := Check(k); err != nil {
				t.Errorf("%s.%s: %v", e.Group, e.Name, err)
			}
		}
	}
	for _, e := range km.Entries() {
		if e.Group != "editor" {
			continue
		}
		for _, k := range e.Binding.Keys() {
			if g, ok := global[k]; ok && !(e.Name == "copy" && k == "ctrl+c") && g != "next_pane" {
				t.Errorf("editor.%s's key %q is global.%s's: the editor never gets it", e.Name, k, g)
			}
		}
	}
}

// Keys some terminals do not send (shift+arrows, ctrl+/, shift+enter,
// ctrl+pgup) have an alternative that every terminal sends.
func TestEditorChordsHaveAlternatives(t *testing.T) {
	km := Default()
	e := km.Editor
	for name, b := range map[string][]string{
		"comment": e.Comment.Keys(), "find_previous": e.FindPrev.Keys(), "previous_tab": e.PrevTab.Keys(),
		"next_tab": e.NextTab.Keys(), "complete": e.Complete.Keys(), "copy": e.Copy.Keys(),
	} {
		if len(b) < 2 {
			t.Errorf("editor.%s has only %q", name, b)
		}
	}
	if e.Mark.Keys()[0] != "alt+m" {
		t.Errorf("mark is %q: selecting without shift+arrows needs it", e.Mark.Keys())
	}
}

// The README lists every binding by group, in help's order, as the config
// names them.
func TestREADMEListsTheBindings(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	listed := map[string]string{}
	for _, line := range strings.Split(string(b), "\n") {
		group, rest, ok := strings.Cut(strings.TrimPrefix(line, "- `"), "`: `")
		if !strings.HasPrefix(line, "- `") || !ok {
			continue
		}
		listed[group] = strings.ReplaceAll(strings.TrimSuffix(rest, "`"), "`", "")
	}
	km := Default()
	want := map[string][]string{}
	for _, e := range km.Entries() {
		want[e.Group] = append(want[e.Group], e.Name)
	}
	for group, names := range want {
		if got := listed[group]; got != strings.Join(names, ", ") {
			t.Errorf("README lists %s as %q, want %q", group, got, strings.Join(names, ", "))
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
	// ctrl+enter is not what many terminals send: the footer names f5,
	// and shift+f5 for running every statement.
	def := Default()
	if got := text(def.Footer(PaneEditor, false)); !strings.HasPrefix(got, "f5 run · shift+f5 run all · alt+/ complete") {
		t.Errorf("default editor footer %q: want f5 run, shift+f5 run all and alt+/ complete first (ctrl+space is not sent by every terminal)", got)
	}
	if got := text(def.Footer(PaneEditor, false)); !strings.HasSuffix(got, "ctrl+q quit · alt+u reuse on/off") {
		t.Errorf("default editor footer %q: want the reuse toggle last, after quit", got)
	}
	for _, p := range []Pane{PaneEditor, PaneResults, PaneCatalog, PaneExplain, PaneExplainRefusal, PaneExplainEmpty, PaneExplainPick, PaneExplainBack, PaneExplainRefusalBack, PaneHistory, PaneHelp} {
		if len(km.Footer(p, false)) < 3 {
			t.Errorf("pane %d: footer %q is too short", p, text(km.Footer(p, false)))
		}
	}
}
