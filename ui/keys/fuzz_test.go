package keys

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// FuzzRemap: the remapper either refuses an override with a *RemapError
// naming it and changes nothing, or applies it exactly: the binding has
// the keys given (or none), each a key Check accepts, which is printable
// text a terminal can send and help can show.
func FuzzRemap(f *testing.F) {
	for _, s := range [][2]string{
		{"global.run", "f9\x1fctrl+r"}, {"results.export", ""}, {"global.rnu", "x"}, {"editor.copy_cell", "y"},
		{"global.help", "ctlr+h"}, {"global.quit", "ctrl++"}, {"help.up", "shift+g"}, {"catalog.filter", "\u009b"},
		{"explain.doctor", "ctrl+alt+delete\x1fG"}, {"", "\x00"},
	} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, name, joined string) {
		var ks []string
		if joined != "" {
			ks = strings.Split(joined, "\x1f")
		}
		km := Default()
		before := snapshot(km)
		err := km.Remap(map[string][]string{name: ks})
		if err != nil {
			var re *RemapError
			if !errors.As(err, &re) || re.Name != name {
				t.Fatalf("Remap(%q: %q) = %v, not a *RemapError naming the binding", name, ks, err)
			}
			if !reflect.DeepEqual(snapshot(km), before) {
				t.Fatalf("a refused Remap(%q: %q) changed the keymap", name, ks)
			}
			return
		}
		for _, e := range km.Entries() {
			if e.Group+"."+e.Name != name {
				continue
			}
			got := e.Binding.Keys()
			if len(ks) == 0 && e.Binding.Enabled() || len(ks) > 0 && !reflect.DeepEqual(got, ks) {
				t.Fatalf("Remap(%q: %q) left keys %q (enabled %v)", name, ks, got, e.Binding.Enabled())
			}
			for _, k := range got {
				if !utf8.ValidString(k) || strings.IndexFunc(k, func(r rune) bool { return !unicode.IsPrint(r) }) >= 0 {
					t.Fatalf("Check accepted %q, which is not printable text", k)
				}
			}
			return
		}
		t.Fatalf("Remap accepted %q, a name the keymap does not have", name)
	})
}

// snapshot is every binding's keys, help and state.
func snapshot(km KeyMap) []string {
	var out []string
	for _, e := range km.Entries() {
		h := e.Binding.Help()
		out = append(out, strings.Join(e.Binding.Keys(), " ")+"|"+h.Key+"|"+h.Desc+"|"+map[bool]string{true: "on", false: "off"}[e.Binding.Enabled()])
	}
	return out
}
