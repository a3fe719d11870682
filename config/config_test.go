package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// env is a fake environment.
type env map[string]string

func (e env) get(k string) string { return e[k] }

// writeConfig writes text as the config file under a fresh XDG config
// home and returns the environment that finds it and the file's path.
func writeConfig(t *testing.T, text string) (env, string) {
	t.Helper()
	dir := t.TempDir()
	path := filepath.Join(dir, "quiltq", "config.toml")
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return env{"XDG_CONFIG_HOME": dir, "HOME": filepath.Join(dir, "no-home")}, path
}

const sample = `# quiltq settings
default_profile = "prod"

[profiles.prod]
catalog_url = "https://prod.example.com/"
region = "us-east-2"
workgroup = "analysts"
output = "csv"
price_per_tb = 6

[profiles.dev]
catalog_url = "dev.example.com"
price_per_tb = 2.5
aws_profile = "dev-admin"
`

func TestLoadPrecedence(t *testing.T) {
	e, path := writeConfig(t, sample)
	prodSrc := "config file " + path + " [profiles.prod]"
	devSrc := "config file " + path + " [profiles.dev]"

	tests := []struct {
		name    string
		env     env // added to e
		profile string
		flags   [][3]string // name, value, source
		want    map[string]Setting
		profSrc string
		prof    string
	}{
		{
			name: "file default_profile",
			prof: "prod", profSrc: "config file " + path + " default_profile",
			want: map[string]Setting{
				"catalog_url":  {Value: "https://prod.example.com", Source: prodSrc},
				"region":       {Value: "us-east-2", Source: prodSrc},
				"workgroup":    {Value: "analysts", Source: prodSrc},
				"catalog":      {Value: "AwsDataCatalog", Source: SourceDefault},
				"database":     {Value: "", Source: SourceDefault},
				"output":       {Value: "csv", Source: prodSrc},
				"price_per_tb": {Value: "6", Source: prodSrc},
				"aws_profile":  {Value: "", Source: SourceDefault},
			},
		},
		{
			name: "env profile beats default_profile",
			env:  env{"QUILTQ_PROFILE": "dev"},
			prof: "dev", profSrc: "env QUILTQ_PROFILE",
			want: map[string]Setting{
				"catalog_url":  {Value: "https://dev.example.com", Source: devSrc},
				"output":       {Value: "table", Source: SourceDefault},
				"price_per_tb": {Value: "2.5", Source: devSrc},
				"aws_profile":  {Value: "dev-admin", Source: devSrc},
			},
		},
		{
			name: "flag profile beats env profile",
			env:  env{"QUILTQ_PROFILE": "dev"}, profile: "prod",
			prof: "prod", profSrc: "flag -P",
			want: map[string]Setting{"workgroup": {Value: "analysts", Source: prodSrc}},
		},
		{
			name: "env beats file",
			env:  env{"QUILTQ_CATALOG_URL": "http://127.0.0.1:8080/"},
			prof: "prod", profSrc: "config file " + path + " default_profile",
			want: map[string]Setting{"catalog_url": {Value: "http://127.0.0.1:8080", Source: "env QUILTQ_CATALOG_URL"}},
		},
		{
			name:  "flag beats env and file",
			env:   env{"QUILTQ_CATALOG_URL": "http://127.0.0.1:8080"},
			flags: [][3]string{{"catalog_url", "https://flag.example.com", "flag --catalog"}, {"workgroup", "wg2", "flag -w"}, {"output", "json", "flag -o"}},
			prof:  "prod", profSrc: "config file " + path + " default_profile",
			want: map[string]Setting{
				"catalog_url": {Value: "https://flag.example.com", Source: "flag --catalog"},
				"workgroup":   {Value: "wg2", Source: "flag -w"},
				"output":      {Value: "json", Source: "flag -o"},
				"region":      {Value: "us-east-2", Source: prodSrc},
			},
		},
		{
			name:    "the default profile always exists",
			profile: "default",
			prof:    "default", profSrc: "flag -P",
			want: map[string]Setting{
				"catalog_url":  {Value: "", Source: SourceDefault},
				"price_per_tb": {Value: "5", Source: SourceDefault},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ee := env{}
			for k, v := range e {
				ee[k] = v
			}
			for k, v := range tt.env {
				ee[k] = v
			}
			s, err := Load(ee.get, tt.profile)
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			for _, f := range tt.flags {
				if err := s.Set(f[0], f[1], f[2]); err != nil {
					t.Fatalf("Set(%q): %v", f[0], err)
				}
			}
			if s.Profile != tt.prof || s.ProfileSource != tt.profSrc {
				t.Errorf("profile = %q from %q, want %q from %q", s.Profile, s.ProfileSource, tt.prof, tt.profSrc)
			}
			if s.Path != path || !s.FileFound {
				t.Errorf("path = %q (found %v), want %q (found)", s.Path, s.FileFound, path)
			}
			for name, want := range tt.want {
				got, ok := s.Get(name)
				want.Name = name
				if !ok || got != want {
					t.Errorf("%s = %+v, want %+v", name, got, want)
				}
			}
		})
	}
}

func TestTypedAccessors(t *testing.T) {
	e, _ := writeConfig(t, sample)
	s, err := Load(e.get, "dev")
	if err != nil {
		t.Fatal(err)
	}
	if got := s.PricePerTB(); got != 2.5 {
		t.Errorf("PricePerTB = %v, want 2.5", got)
	}
	if got := s.AWSProfile(); got != "dev-admin" {
		t.Errorf("AWSProfile = %q, want dev-admin", got)
	}
	if got := s.Output(); got != "table" {
		t.Errorf("Output = %q, want table", got)
	}
	if got := s.Catalog(); got != "AwsDataCatalog" {
		t.Errorf("Catalog = %q, want AwsDataCatalog", got)
	}
	if got, want := s.Profiles, []string{"dev", "prod"}; strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("Profiles = %v, want %v", got, want)
	}
	if got := len(s.All()); got != len(Names()) {
		t.Errorf("All has %d settings, want %d", got, len(Names()))
	}
}

func TestMissingFileMeansDefaults(t *testing.T) {
	home := t.TempDir()
	s, err := Load(env{"HOME": home}.get, "")
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	want := filepath.Join(home, ".config", "quiltq", "config.toml")
	if s.Path != want || s.FileFound {
		t.Errorf("path = %q (found %v), want %q (not found)", s.Path, s.FileFound, want)
	}
	if s.Profile != DefaultProfile || s.ProfileSource != SourceDefault {
		t.Errorf("profile = %q from %q, want default from default", s.Profile, s.ProfileSource)
	}
	for _, v := range s.All() {
		if v.Source != SourceDefault {
			t.Errorf("%s comes from %q, want default", v.Name, v.Source)
		}
	}
	if s.PricePerTB() != 5 || s.Output() != "table" {
		t.Errorf("price %v, output %q; want 5, table", s.PricePerTB(), s.Output())
	}
}

func TestLoadErrors(t *testing.T) {
	tests := []struct {
		name    string
		text    string
		env     env
		profile string
		want    []string // substrings of the error
	}{
		{
			name: "malformed",
			text: "[profiles.prod]\ncatalog_url = \"https://x\"\nregion = us-east-1\n",
			want: []string{"config.toml:3:", "fix the file"},
		},
		{
			name: "unknown key in a profile",
			text: "[profiles.prod]\ncatalog_url = \"https://x\"\n\nworgroup = \"primary\"\n",
			want: []string{"config.toml:4:", `unknown key "worgroup" in [profiles.prod]`, `did you mean "workgroup"?`, "catalog_url, region"},
		},
		{
			name: "unknown top-level key",
			text: "default_profil = \"prod\"\n",
			want: []string{"config.toml:1:", `unknown key "default_profil"`, `did you mean "default_profile"?`},
		},
		{
			name: "profile settings outside profiles",
			text: "[prod]\nregion = \"us-east-1\"\n",
			want: []string{"config.toml:1:", `unknown key "prod"`, "[profiles.NAME]"},
		},
		{
			name: "unknown dotted key",
			text: "# settings\nprod.region = \"us-east-1\"\n",
			want: []string{"config.toml:2:", `unknown key "prod.region"`},
		},
		{
			name: "string price",
			text: "[profiles.prod]\nprice_per_tb = \"5\"\n",
			want: []string{"config.toml:2:", "price_per_tb must be a number"},
		},
		{
			name: "negative price",
			text: "[profiles.prod]\nprice_per_tb = -1\n",
			want: []string{"config.toml:2:", `price_per_tb "-1" is not a price`},
		},
		{
			name: "bad output",
			text: "[profiles.prod]\noutput = \"jsonn\"\n",
			want: []string{"config.toml:2:", `output "jsonn" is not a format`, `did you mean "json"?`, "markdown"},
		},
		{
			name: "numeric workgroup",
			text: "[profiles.prod]\nworkgroup = 3\n",
			want: []string{"config.toml:2:", "workgroup must be a string in quotes"},
		},
		{
			name: "bad catalog url",
			text: "[profiles.prod]\ncatalog_url = \"ftp://x.example.com\"\n",
			want: []string{"config.toml:2:", `catalog_url "ftp://x.example.com" is not a catalog address`},
		},
		{
			name:    "unknown profile from the flag",
			text:    "[profiles.prod]\n[profiles.dev]\n",
			profile: "stage",
			want:    []string{`profile "stage" (flag -P) is not defined`, "its profiles are dev, prod"},
		},
		{
			name: "unknown default_profile",
			text: "default_profile = \"stage\"\n[profiles.prod]\n",
			want: []string{`profile "stage" (config file`, "its profiles are prod"},
		},
		{
			name: "unknown profile from the environment",
			text: "",
			env:  env{"QUILTQ_PROFILE": "stage"},
			want: []string{`profile "stage" (env QUILTQ_PROFILE) is not defined`, "has no profiles"},
		},
		{
			name: "bad env catalog url",
			text: "",
			env:  env{"QUILTQ_CATALOG_URL": "https://x.example.com/?q=1"},
			want: []string{"env QUILTQ_CATALOG_URL: catalog_url"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, path := writeConfig(t, tt.text)
			for k, v := range tt.env {
				e[k] = v
			}
			_, err := Load(e.get, tt.profile)
			if err == nil {
				t.Fatalf("Load succeeded, want an error containing %q", tt.want)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
			if strings.HasPrefix(tt.want[0], "config.toml:") && !strings.HasPrefix(err.Error(), path+":") {
				t.Errorf("error %q does not start with the path %s", err, path)
			}
		})
	}
}

func TestLoadMissingProfileWithoutFile(t *testing.T) {
	_, err := Load(env{"HOME": t.TempDir()}.get, "prod")
	if err == nil || !strings.Contains(err.Error(), "there is no config file at") {
		t.Fatalf("Load = %v, want an error saying there is no config file", err)
	}
	_, err = Load(env{"QUILTQ_CONFIG": filepath.Join(t.TempDir(), "nope.toml")}.get, "")
	if err == nil || !strings.Contains(err.Error(), "QUILTQ_CONFIG names") {
		t.Fatalf("Load = %v, want an error about QUILTQ_CONFIG", err)
	}
}

func TestSetErrors(t *testing.T) {
	s, err := Load(env{"HOME": t.TempDir()}.get, "")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct{ name, value, source, want string }{
		{"output", "yaml", "flag -o", `flag -o: output "yaml" is not a format quiltq writes`},
		{"price_per_tb", "cheap", "flag --price", `flag --price: price_per_tb "cheap" is not a price`},
		{"price_per_tb", "NaN", "flag --price", `is not a price`},
		{"regoin", "us-east-1", "flag -r", `flag -r: unknown setting "regoin" (did you mean "region"?)`},
		{"region", "US East", "flag -r", `region "US East" is not an AWS region name`},
	}
	for _, tt := range tests {
		err := s.Set(tt.name, tt.value, tt.source)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Set(%q, %q) = %v, want an error containing %q", tt.name, tt.value, err, tt.want)
		}
	}
	// A failed Set changes nothing.
	if s.Output() != "table" || s.PricePerTB() != 5 {
		t.Errorf("after failed Sets: output %q, price %v; want table, 5", s.Output(), s.PricePerTB())
	}
	if err := s.Set("price_per_tb", "7.25", "flag --price"); err != nil || s.PricePerTB() != 7.25 {
		t.Errorf("Set price 7.25: err %v, price %v", err, s.PricePerTB())
	}
}

func TestPaths(t *testing.T) {
	tests := []struct {
		name                string
		env                 env
		config, file, cache string
		wantErr             bool
	}{
		{
			name:   "home only",
			env:    env{"HOME": "/h"},
			config: "/h/.config/quiltq", file: "/h/.config/quiltq/config.toml", cache: "/h/.cache/quiltq",
		},
		{
			name:   "xdg",
			env:    env{"HOME": "/h", "XDG_CONFIG_HOME": "/x/conf", "XDG_CACHE_HOME": "/x/cache"},
			config: "/x/conf/quiltq", file: "/x/conf/quiltq/config.toml", cache: "/x/cache/quiltq",
		},
		{
			name:   "relative xdg is ignored",
			env:    env{"HOME": "/h", "XDG_CONFIG_HOME": "conf", "XDG_CACHE_HOME": "cache"},
			config: "/h/.config/quiltq", file: "/h/.config/quiltq/config.toml", cache: "/h/.cache/quiltq",
		},
		{
			name:   "QUILTQ_CONFIG names the file",
			env:    env{"HOME": "/h", "QUILTQ_CONFIG": "/etc/q.toml"},
			config: "/h/.config/quiltq", file: "/etc/q.toml", cache: "/h/.cache/quiltq",
		},
		{
			name: "nothing", env: env{}, wantErr: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := PathsFrom(tt.env.get)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, want error %v", err, tt.wantErr)
			}
			want := Paths{ConfigDir: filepath.FromSlash(tt.config), ConfigFile: filepath.FromSlash(tt.file), CacheDir: filepath.FromSlash(tt.cache)}
			if p != want {
				t.Errorf("got %+v, want %+v", p, want)
			}
		})
	}
}

func TestWorkbenchSettings(t *testing.T) {
	e, path := writeConfig(t, `theme = "light"
mouse = true

[keys]
"global.run" = ["f9", "ctrl+r"]
results.export = []   # unbound

[profiles.default]
`)
	s, err := Load(e.get, "")
	if err != nil {
		t.Fatal(err)
	}
	if s.UI.Theme != "light" || s.UI.ThemeSource != "config file "+path+" theme" || !s.UI.Mouse {
		t.Errorf("UI = %+v", s.UI)
	}
	want := []KeyOverride{{Name: "global.run", Keys: []string{"f9", "ctrl+r"}, Line: 5}, {Name: "results.export", Keys: []string{}, Line: 6}}
	if len(s.UI.Keys) != 2 {
		t.Fatalf("keys = %+v, want %+v", s.UI.Keys, want)
	}
	for i, k := range s.UI.Keys {
		if k.Name != want[i].Name || strings.Join(k.Keys, ",") != strings.Join(want[i].Keys, ",") || k.Line != want[i].Line {
			t.Errorf("keys[%d] = %+v, want %+v", i, k, want[i])
		}
	}
	// QUILTQ_THEME overrides the file.
	e["QUILTQ_THEME"] = "dark"
	if s, err := Load(e.get, ""); err != nil || s.UI.Theme != "dark" || s.UI.ThemeSource != "env QUILTQ_THEME" {
		t.Errorf("with QUILTQ_THEME=dark: %+v, %v", s.UI, err)
	}
	e["QUILTQ_THEME"] = "solarized"
	if _, err := Load(e.get, ""); err == nil || !strings.Contains(err.Error(), `QUILTQ_THEME "solarized" is not a theme`) {
		t.Errorf("QUILTQ_THEME=solarized: %v", err)
	}
	// Without a file: dark, no mouse, no keys.
	s, err = Load(env{"XDG_CONFIG_HOME": t.TempDir()}.get, "")
	if err != nil || s.UI.Theme != "dark" || s.UI.ThemeSource != SourceDefault || s.UI.Mouse || s.UI.Keys != nil {
		t.Errorf("defaults: %+v, %v", s.UI, err)
	}
}

func TestWorkbenchSettingErrors(t *testing.T) {
	tests := []struct{ text, want string }{
		{"theme = \"blue\"\n", `:1: theme must be "light" or "dark"`},
		{"mouse = \"yes\"\n", ":1: mouse must be true or false"},
		{"[keys]\n\"global.run\" = \"f9\"\n", `:2: [keys] "global.run" must be a list of keys in quotes`},
		{"[keys]\n\"global.run\" = [\"f9\", 5]\n", `:2: [keys] "global.run" must be a list`},
		{"keys = 3\n", ":1: keys must be a table"},
		{"them = \"light\"\n", `(did you mean "theme"?)`},
	}
	for _, tt := range tests {
		e, path := writeConfig(t, tt.text)
		_, err := Load(e.get, "")
		want := tt.want
		if strings.HasPrefix(want, ":") {
			want = path + want // the file and line
		}
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: %v, want %q", tt.text, err, tt.want)
		}
	}
}

// A setting is default until a file, the environment or a flag sets it,
// even to the default's own value.
func TestIsDefault(t *testing.T) {
	s, err := Load(env{"HOME": t.TempDir()}.get, "")
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if !s.IsDefault("output") {
		t.Error("output is not default with nothing set")
	}
	if err := s.Set("output", "table", "flag -o"); err != nil {
		t.Fatal(err)
	}
	if s.IsDefault("output") {
		t.Error("output set by a flag (to the default's value) counts as default")
	}
	if !s.IsDefault("no_such_setting") {
		t.Error("an unknown setting is not default")
	}
}
