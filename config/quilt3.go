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
	_, l, ok := q.LoginKey(registryURL)
	return l, ok
}

// LoginKey is Login, with the key auth.json files the login under (the
// registry URL exactly as quilt3 wrote it), which UpdateQuilt3Login needs.
func (q *Quilt3) LoginKey(registryURL string) (key string, l Quilt3Login, ok bool) {
	if l, ok := q.Logins[registryURL]; ok && l.RefreshToken != "" {
		return registryURL, l, true
	}
	want := strings.TrimRight(registryURL, "/")
	for k, l := range q.Logins {
		if strings.TrimRight(k, "/") == want && l.RefreshToken != "" {
			return k, l, true
		}
	}
	return "", Quilt3Login{}, false
}

// ErrQuilt3Moved is returned by UpdateQuilt3Login when auth.json no
// longer holds the refresh token the update replaces: quilt3 refreshed its
// login meanwhile, and its newer one must not be overwritten.
var ErrQuilt3Moved = errors.New("quilt3's login in auth.json changed meanwhile (quilt3 refreshed it); it was left as quilt3 wrote it")

// UpdateQuilt3Login writes a refreshed login back into quilt3's auth.json
// in dir, under key, so that quilt3 stays logged in after quiltq has
// exchanged its refresh token (the registry rotates refresh tokens). It
// replaces the entry's refresh_token, access_token and expires_at only
// when the entry still holds the refresh token was (else ErrQuilt3Moved),
// and keeps every other entry and field as they are.
//
// quilt3 itself rewrites auth.json whole with json.dump, in place, mode
// 0600, and takes no lock (quiltdata/quilt, api/python/quilt3/session.py,
// _save_auth). With no lock to share, the file is read again just before
// it is written, and written atomically (WritePrivate: a 0600 temporary
// file renamed over it), so that quilt3 never reads half a file; the
// window in which a quilt3 refreshing at the same moment could lose its
// write is the time between that read and the rename.
func UpdateQuilt3Login(dir, key, was string, l Quilt3Login) error {
	path := filepath.Join(dir, "auth.json")
	data, err := ReadFile(path)
	if err != nil {
		return fmt.Errorf("reading quilt3's logins: %w", err)
	}
	var all map[string]json.RawMessage
	if err := json.Unmarshal(data, &all); err != nil || all == nil {
		return fmt.Errorf("%s is not the JSON object of logins quilt3 writes", path)
	}
	var entry map[string]json.RawMessage
	if err := json.Unmarshal(all[key], &entry); err != nil || entry == nil {
		return ErrQuilt3Moved
	}
	var current string
	if json.Unmarshal(entry["refresh_token"], &current) != nil || current != was {
		return ErrQuilt3Moved
	}
	for k, v := range map[string]any{"refresh_token": l.RefreshToken, "access_token": l.AccessToken, "expires_at": l.ExpiresAt} {
		b, err := json.Marshal(v)
		if err != nil {
			return err
		}
		entry[k] = b
	}
	if all[key], err = json.Marshal(entry); err != nil {
		return err
	}
	out, err := json.Marshal(all)
	if err != nil {
		return err
	}
	return WritePrivate(path, out)
}
