package keys

import (
	"strings"
	"testing"
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
}
