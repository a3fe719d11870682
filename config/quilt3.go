package config

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"strings"

	"gopkg.in/yaml.v3"
)

// Quilt3 is what quilt3 (the Python client) keeps on disk: its
// config.yml (which catalog and registry it is configured for) and its
// auth.json (its logins, keyed by the exact registry URL string).
type Quilt3 struct {
	// Dir is quilt3's data directory.
	Dir string
	// NavigatorURL and RegistryURL come from config.yml ("" when unset).
	NavigatorURL string
	RegistryURL  string
	// Logins are auth.json's entries, by registry URL.
	Logins map[string]Quilt3Login
}

// Quilt3Login is one entry of quilt3's auth.json.
type Quilt3Login struct {
	RefreshToken string   `json:"refresh_token"`
	AccessToken  string   `json:"access_token"`
	ExpiresAt    *float64 `json:"expires_at"`
}

// String hides the tokens.
func (l Quilt3Login) String() string { return "quilt3 login" }

// GoString hides the tokens.
func (l Quilt3Login) GoString() string { return "quilt3 login" }

// Quilt3Dir is quilt3's data directory, platformdirs' user_data_dir for
// ("Quilt", "QuiltData") on goos: ~/.local/share/Quilt on Linux (or
// $XDG_DATA_HOME/Quilt), ~/Library/Application Support/Quilt on macOS,
// %LOCALAPPDATA%\QuiltData\Quilt on Windows.
func Quilt3Dir(getenv func(string) string, goos string) (string, error) {
	home := getenv("HOME")
	switch goos {
	case "windows":
		if d := getenv("LOCALAPPDATA"); d != "" {
			return filepath.Join(d, "QuiltData", "Quilt"), nil
		}
		if p := getenv("USERPROFILE"); p != "" {
			return filepath.Join(p, "AppData", "Local", "QuiltData", "Quilt"), nil
		}
		return "", errors.New("cannot tell where quilt3 keeps its files: LOCALAPPDATA is not set")
	case "darwin":
		if home == "" {
			return "", errNoHome
		}
		return filepath.Join(home, "Library", "Application Support", "Quilt"), nil
	default:
		if d := getenv("XDG_DATA_HOME"); d != "" && filepath.IsAbs(d) {
			return filepath.Join(d, "Quilt"), nil
		}
		if home == "" {
			return "", errNoHome
		}
		return filepath.Join(home, ".local", "share", "Quilt"), nil
	}
}

// ReadQuilt3 reads quilt3's config.yml and auth.json in dir. Missing
// files mean nothing configured and no logins; a file that cannot be
// read is an error naming it, never quoting its content.
func ReadQuilt3(dir string) (*Quilt3, error) {
	q := &Quilt3{Dir: dir, Logins: map[string]Quilt3Login{}}
	cfgPath := filepath.Join(dir, "config.yml")
	data, err := ReadFile(cfgPath)
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return nil, fmt.Errorf("reading quilt3's config: %w", err)
	default:
		var c struct {
			NavigatorURL *string `yaml:"navigator_url"`
			RegistryURL  *string `yaml:"registryUrl"`
		}
		if err := yaml.Unmarshal(data, &c); err != nil {
			return nil, fmt.Errorf("%s is not YAML quiltq can read", cfgPath)
		}
		if c.NavigatorURL != nil {
			q.NavigatorURL = strings.TrimRight(strings.TrimSpace(*c.NavigatorURL), "/")
		}
		if c.RegistryURL != nil {
			q.RegistryURL = strings.TrimSpace(*c.RegistryURL)
		}
	}
	authPath := filepath.Join(dir, "auth.json")
	data, err = ReadFile(authPath)
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return nil, fmt.Errorf("reading quilt3's logins: %w", err)
	default:
		if err := json.Unmarshal(data, &q.Logins); err != nil {
			// The decoder's message could quote a token: say only where.
			return nil, fmt.Errorf("%s is not the JSON object of logins quilt3 writes", authPath)
		}
	}
	return q, nil
}

// Login returns quilt3's login for registryURL, matching its exact
// string first and then ignoring trailing slashes.
func (q *Quilt3) Login(registryURL string) (Quilt3Login, bool) {
	if l, ok := q.Logins[registryURL]; ok && l.RefreshToken != "" {
		return l, true
	}
	want := strings.TrimRight(registryURL, "/")
	for k, l := range q.Logins {
		if strings.TrimRight(k, "/") == want && l.RefreshToken != "" {
			return l, true
		}
	}
	return Quilt3Login{}, false
}
