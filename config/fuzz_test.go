package config

import (
	"strings"
	"testing"
)

// FuzzParseFile: any file either parses into profiles whose values pass
// the settings' checks, or fails with an error that names the file.
func FuzzParseFile(f *testing.F) {
	for _, seed := range []string{
		sample,
		"default_profile = \"prod\"\n[profiles.prod]\nprice_per_tb = 5\n",
		"[profiles.prod]\nworgroup = \"x\"\n",
		"profiles.prod.region = \"us-east-1\"\n",
		"[profiles]\nprod = 3\n",
		"[profiles.prod.region]\nx = 1\n",
		"a.b = 1\n",
		"[[profiles]]\n",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, text string) {
		const path = "/cfg/config.toml"
		file, err := parseFile(path, []byte(text))
		if err != nil {
			if !strings.HasPrefix(err.Error(), path) {
				t.Errorf("error %q does not start with the path", err)
			}
			return
		}
		for name, prof := range file.profiles {
			for key, v := range prof {
				sp, ok := lookupSpec(key)
				if !ok {
					t.Fatalf("profile %q kept unknown key %q", name, key)
				}
				if norm, err := sp.check(v); err != nil || norm != v {
					t.Errorf("profile %q: %s = %q does not pass its check again (%q, %v)", name, key, v, norm, err)
				}
			}
		}
	})
}
