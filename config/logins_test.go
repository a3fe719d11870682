package config

import (
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestLoginsSaveFind(t *testing.T) {
	path := filepath.Join(t.TempDir(), "quiltq", "logins.json")
	l, err := LoadLogins(path)
	if err != nil || len(l.Profiles) != 0 {
		t.Fatalf("LoadLogins of no file = %v, %v", l, err)
	}
	a := Login{CatalogURL: "https://a.example.com", RegistryURL: "https://reg.a.example.com", Storage: "keyring"}
	l.Profiles["default"] = a
	l.Profiles["other"] = Login{CatalogURL: "https://b.example.com", RegistryURL: "https://reg.b", Storage: "file"}
	if err := l.Save(); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v, err %v; want 0600", fi.Mode().Perm(), err)
	}
	l, err = LoadLogins(path)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		profile, catalog string
		want             string
		ok               bool
	}{
		{"default", "", "https://a.example.com", true},
		{"default", "https://b.example.com", "https://b.example.com", true}, // the catalog wins
		{"nope", "https://a.example.com", "https://a.example.com", true},
		{"nope", "", "", false},
		{"default", "https://c.example.com", "", false},
	}
	for _, tt := range tests {
		got, ok := l.Find(tt.profile, tt.catalog)
		if ok != tt.ok || got.CatalogURL != tt.want {
			t.Errorf("Find(%q, %q) = %q, %v; want %q, %v", tt.profile, tt.catalog, got.CatalogURL, ok, tt.want, tt.ok)
		}
	}
	if got := l.UsedBy("https://reg.a.example.com", "keyring"); len(got) != 1 || got[0] != "default" {
		t.Errorf("UsedBy = %v, want [default]", got)
	}
	if err := os.WriteFile(path, []byte("{"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadLogins(path); err == nil || !strings.Contains(err.Error(), "quiltq login") {
		t.Errorf("a broken file: %v", err)
	}
}

func TestQuilt3Dir(t *testing.T) {
	env := func(kv ...string) func(string) string {
		m := map[string]string{}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return func(k string) string { return m[k] }
	}
	tests := []struct {
		goos   string
		getenv func(string) string
		want   string
	}{
		{"linux", env("HOME", "/home/u"), "/home/u/.local/share/Quilt"},
		{"linux", env("HOME", "/home/u", "XDG_DATA_HOME", "/data"), "/data/Quilt"},
		{"linux", env("HOME", "/home/u", "XDG_DATA_HOME", "rel"), "/home/u/.local/share/Quilt"},
		{"darwin", env("HOME", "/Users/u"), "/Users/u/Library/Application Support/Quilt"},
		{"windows", env("LOCALAPPDATA", `C:\Users\u\AppData\Local`), filepath.Join(`C:\Users\u\AppData\Local`, "QuiltData", "Quilt")},
	}
	for _, tt := range tests {
		got, err := Quilt3Dir(tt.getenv, tt.goos)
		if err != nil || got != filepath.FromSlash(tt.want) && got != tt.want {
			t.Errorf("%s: got %q (err %v), want %q", tt.goos, got, err, tt.want)
		}
	}
	if _, err := Quilt3Dir(env(), "linux"); err == nil {
		t.Error("no HOME: no error")
	}
}

func TestReadQuilt3(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	q, err := ReadQuilt3(dir)
	if err != nil || len(q.Logins) != 0 || q.RegistryURL != "" {
		t.Fatalf("no files: %+v, %v", q, err)
	}
	write("config.yml", "navigator_url: https://catalog.example.com/\nregistryUrl: https://registry.example.com\ntelemetry_disabled: false\nregion: us-east-1\n")
	write("auth.json", `{"https://registry.example.com": {"refresh_token": "r-secret", "access_token": "a", "expires_at": 1900000000.5}, "https://old.example.com": {}}`)
	q, err = ReadQuilt3(dir)
	if err != nil {
		t.Fatal(err)
	}
	if q.NavigatorURL != "https://catalog.example.com" || q.RegistryURL != "https://registry.example.com" {
		t.Errorf("config: %q, %q", q.NavigatorURL, q.RegistryURL)
	}
	for _, key := range []string{"https://registry.example.com", "https://registry.example.com/"} {
		if l, ok := q.Login(key); !ok || l.RefreshToken != "r-secret" || *l.ExpiresAt != 1900000000.5 {
			t.Errorf("Login(%q) = %v, want the entry", key, ok)
		}
	}
	if _, ok := q.Login("https://old.example.com"); ok {
		t.Error("an entry without a refresh token counts as a login")
	}
	write("auth.json", `{"https://registry.example.com": "r-secret"`)
	if _, err := ReadQuilt3(dir); err == nil || strings.Contains(err.Error(), "r-secret") || !strings.Contains(err.Error(), "auth.json") {
		t.Errorf("broken auth.json: %v", err)
	}
}

// TestReadFileBounded: quiltq's own files and quilt3's are read up to
// MaxFileBytes; an endless file (/dev/zero named by QUILTQ_CONFIG) fails
// at the limit instead of filling memory.
func TestReadFileBounded(t *testing.T) {
	if _, err := os.Stat("/dev/zero"); err != nil {
		t.Skip("no /dev/zero here")
	}
	if _, err := ReadFile("/dev/zero"); err == nil || !strings.Contains(err.Error(), "/dev/zero is over 1048576 bytes") {
		t.Errorf("ReadFile(/dev/zero) = %v", err)
	}
	env := func(k string) string {
		if k == "QUILTQ_CONFIG" {
			return "/dev/zero"
		}
		if k == "HOME" {
			return t.TempDir()
		}
		return ""
	}
	if _, err := Load(env, ""); err == nil || !strings.Contains(err.Error(), "is over") {
		t.Errorf("Load with QUILTQ_CONFIG=/dev/zero: %v", err)
	}
	if _, err := LoadLogins("/dev/zero"); err == nil || !strings.Contains(err.Error(), "is over") {
		t.Errorf("LoadLogins(/dev/zero): %v", err)
	}
	if _, err := ReadFile(filepath.Join(t.TempDir(), "none")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a missing file: %v, want fs.ErrNotExist", err)
	}
}

func TestRegistries(t *testing.T) {
	l := &Logins{Profiles: map[string]Login{
		"a":     {CatalogURL: "https://cat.example.com", RegistryURL: "https://reg.example.com", Storage: "keyring"},
		"b":     {CatalogURL: "https://cat.example.com/", RegistryURL: "https://reg.example.com", Storage: "file"},
		"c":     {CatalogURL: "https://cat.example.com", RegistryURL: "https://old-reg.example.com", Storage: "file"},
		"other": {CatalogURL: "https://other.example.com", RegistryURL: "https://reg.other", Storage: "keyring"},
	}}
	got := l.Registries("https://cat.example.com")
	if strings.Join(got, " ") != "https://old-reg.example.com https://reg.example.com" {
		t.Errorf("got %q, want both registries of the catalog once each", got)
	}
	if got := l.Registries("https://none.example.com"); len(got) != 0 {
		t.Errorf("an unknown catalog: got %q", got)
	}
}

// TestUpdateQuilt3Login: a refreshed login is written back under the key
// quilt3 used, keeping the other entries and fields, mode 0600, and never
// over a login quilt3 refreshed meanwhile.
func TestUpdateQuilt3Login(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "auth.json")
	orig := `{"https://registry.example.com/": {"refresh_token": "r1", "access_token": "a1", "expires_at": 1, "extra": [1]}, "https://other.example.com": {"refresh_token": "o"}}`
	if err := os.WriteFile(path, []byte(orig), 0o644); err != nil {
		t.Fatal(err)
	}
	q, err := ReadQuilt3(dir)
	if err != nil {
		t.Fatal(err)
	}
	key, l, ok := q.LoginKey("https://registry.example.com")
	if !ok || key != "https://registry.example.com/" || l.RefreshToken != "r1" {
		t.Fatalf("LoginKey = %q, %v", key, ok)
	}
	exp := 1900000000.0
	if err := UpdateQuilt3Login(dir, key, "r1", Quilt3Login{RefreshToken: "r2", AccessToken: "a2", ExpiresAt: &exp}); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]map[string]any
	if err := json.Unmarshal(data, &got); err != nil {
		t.Fatalf("auth.json after the update is not JSON: %v\n%s", err, data)
	}
	e := got["https://registry.example.com/"]
	if e["refresh_token"] != "r2" || e["access_token"] != "a2" || e["expires_at"] != exp || e["extra"] == nil {
		t.Errorf("entry %v: want r2, a2, %v and the extra field kept", e, exp)
	}
	if got["https://other.example.com"]["refresh_token"] != "o" {
		t.Errorf("the other registry's login was not kept: %s", data)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("auth.json mode: %v, %v; want 0600", fi.Mode().Perm(), err)
	}
	// quilt3 refreshed meanwhile: its newer login stays.
	if err := UpdateQuilt3Login(dir, key, "r1", Quilt3Login{RefreshToken: "r3"}); !errors.Is(err, ErrQuilt3Moved) {
		t.Errorf("update over a login that moved on: %v, want ErrQuilt3Moved", err)
	}
	if after, _ := os.ReadFile(path); string(after) != string(data) {
		t.Errorf("auth.json changed by a refused update:\n%s\nwas\n%s", after, data)
	}
	if err := UpdateQuilt3Login(dir, "https://nowhere.example.com", "r1", Quilt3Login{}); !errors.Is(err, ErrQuilt3Moved) {
		t.Errorf("update of a login that is gone: %v, want ErrQuilt3Moved", err)
	}
}
