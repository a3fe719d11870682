package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// configEnv writes text as the config file under a fresh XDG config home
// and returns a getenv that finds it, plus the directory, which tests
// replace with $DIR in what they compare.
func configEnv(t *testing.T, text string, vars ...string) (func(string) string, string) {
	t.Helper()
	dir := t.TempDir()
	if text != "" {
		path := filepath.Join(dir, "quiltq", "config.toml")
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	env := map[string]string{"XDG_CONFIG_HOME": dir, "HOME": filepath.Join(dir, "home")}
	for i := 0; i+1 < len(vars); i += 2 {
		env[vars[i]] = vars[i+1]
	}
	return func(k string) string { return env[k] }, dir
}

func runConfigCmd(t *testing.T, getenv func(string) string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(context.Background(), append([]string{"config"}, args...), streams{In: strings.NewReader(""), Out: &out, Err: &errb}, getenv)
	return code, out.String(), errb.String()
}

const configSample = `default_profile = "prod"

[profiles.prod]
catalog_url = "https://prod.example.com/"
workgroup = "analysts"
price_per_tb = 6

[profiles.dev]
catalog_url = "https://dev.example.com"
output = "csv"
`

func TestConfigText(t *testing.T) {
	getenv, dir := configEnv(t, configSample, "QUILTQ_CATALOG_URL", "http://127.0.0.1:8080")
	code, out, errs := runConfigCmd(t, getenv)
	if code != exitOK || errs != "" {
		t.Fatalf("exit %d, stderr %q; want 0 and nothing", code, errs)
	}
	got := strings.ReplaceAll(out, dir, "$DIR")
	want := `profile      prod (config file $DIR/quiltq/config.toml default_profile)
config file  $DIR/quiltq/config.toml

catalog_url       http://127.0.0.1:8080  env QUILTQ_CATALOG_URL
region            (unset)                default
workgroup         analysts               config file $DIR/quiltq/config.toml [profiles.prod]
catalog           AwsDataCatalog         default
database          (unset)                default
output            table                  default
price_per_tb      6                      config file $DIR/quiltq/config.toml [profiles.prod]
aws_profile       (unset)                default
keyring_timeout   3s                     default
insecure_storage  false                  default
max_scan          (unset)                default
reuse             (unset)                default
read_only         false                  default
`
	if got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
}

func TestConfigJSON(t *testing.T) {
	getenv, dir := configEnv(t, configSample)
	for _, args := range [][]string{{"--json", "-P", "dev"}, {"--json", "--profile", "dev"}} {
		code, out, errs := runConfigCmd(t, getenv, args...)
		if code != exitOK || errs != "" {
			t.Fatalf("%v: exit %d, stderr %q; want 0 and nothing", args, code, errs)
		}
		var got struct {
			Profile  string
			Path     string
			Settings []struct{ Name, Value, Source string }
		}
		if err := json.Unmarshal([]byte(out), &got); err != nil {
			t.Fatalf("%v: not JSON: %v\n%s", args, err, out)
		}
		if got.Profile != "dev" || got.Path != filepath.Join(dir, "quiltq", "config.toml") {
			t.Errorf("%v: profile %q, path %q; want dev, %s/quiltq/config.toml", args, got.Profile, got.Path, dir)
		}
		devSrc := "config file " + got.Path + " [profiles.dev]"
		want := map[string][2]string{
			"catalog_url": {"https://dev.example.com", devSrc},
			"output":      {"csv", devSrc},
			"workgroup":   {"", "default"},
		}
		if len(got.Settings) != 13 {
			t.Errorf("%v: %d settings, want 13", args, len(got.Settings))
		}
		for _, s := range got.Settings {
			if w, ok := want[s.Name]; ok && (s.Value != w[0] || s.Source != w[1]) {
				t.Errorf("%v: %s = %q from %q, want %q from %q", args, s.Name, s.Value, s.Source, w[0], w[1])
			}
		}
	}
}

func TestConfigNoFile(t *testing.T) {
	getenv, dir := configEnv(t, "")
	code, out, _ := runConfigCmd(t, getenv)
	if code != exitOK {
		t.Fatalf("exit %d, want 0", code)
	}
	if want := "config file  " + dir + "/quiltq/config.toml (not found: defaults apply)\n"; !strings.Contains(out, want) {
		t.Errorf("output does not say the file is missing:\n%s", out)
	}
	if !strings.Contains(out, "profile      default (default)\n") {
		t.Errorf("output does not show the default profile:\n%s", out)
	}
}

func TestConfigErrors(t *testing.T) {
	tests := []struct {
		name, text string
		args       []string
		want       string
	}{
		{"unknown key", "[profiles.prod]\nworgroup = \"x\"\n", nil, `config.toml:2: unknown key "worgroup" in [profiles.prod]`},
		{"malformed", "[profiles.prod]\nregion = = 1\n", nil, "config.toml:2:"},
		{"unknown profile", configSample, []string{"-P", "stage"}, `profile "stage" (flag -P) is not defined`},
		{"stray argument", configSample, []string{"show"}, `unexpected argument "show"`},
		{"bad flag", configSample, []string{"--yaml"}, "unknown flag: --yaml"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			getenv, _ := configEnv(t, tt.text)
			code, out, errs := runConfigCmd(t, getenv, tt.args...)
			if code != exitUsage {
				t.Errorf("exit %d, want %d", code, exitUsage)
			}
			if out != "" {
				t.Errorf("stdout %q, want nothing", out)
			}
			if !strings.Contains(errs, tt.want) {
				t.Errorf("stderr %q does not contain %q", errs, tt.want)
			}
		})
	}
}

func TestConfigHelp(t *testing.T) {
	getenv, _ := configEnv(t, "")
	code, out, _ := runConfigCmd(t, getenv, "-h")
	if code != exitOK || !strings.Contains(out, "quiltq config [flags]") {
		t.Errorf("exit %d, stdout %q; want 0 and the usage", code, out)
	}
}
