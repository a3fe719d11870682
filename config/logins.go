package config

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
)

// Login records, per profile, which Quilt login `quiltq login` made: the
// catalog, its registry (the key of the secret in the store) and the
// store. It holds no secret: the tokens live in the keyring, or in the
// credentials file when the user asked for insecure storage.
type Login struct {
	CatalogURL  string `json:"catalog_url"`
	RegistryURL string `json:"registry_url"`
	// Storage is "keyring" or "file".
	Storage string `json:"storage"`
	// AWSEndpointURL is the AWS endpoint the login was verified against,
	// when AWS_ENDPOINT_URL pointed elsewhere than AWS at login (a
	// sandbox stack): later runs use it without the variable.
	AWSEndpointURL string `json:"aws_endpoint_url,omitempty"`
}

// Logins is the file logins.json in the config dir: profile -> Login.
type Logins struct {
	Path     string
	Profiles map[string]Login
}

// LoginsPath is logins.json in quiltq's config dir.
func (p Paths) LoginsPath() string {
	if p.ConfigDir == "" {
		return ""
	}
	return filepath.Join(p.ConfigDir, "logins.json")
}

// CredentialsPath is the file of insecure storage, credentials.json in
// quiltq's config dir.
func (p Paths) CredentialsPath() string {
	if p.ConfigDir == "" {
		return ""
	}
	return filepath.Join(p.ConfigDir, "credentials.json")
}

// LoadLogins reads the logins file at path; a missing file is no logins.
func LoadLogins(path string) (*Logins, error) {
	l := &Logins{Path: path, Profiles: map[string]Login{}}
	if path == "" {
		return l, nil
	}
	data, err := ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return l, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading the logins file: %w", err)
	}
	var doc struct {
		Profiles map[string]Login `json:"profiles"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("%s is not a quiltq logins file: remove it and run `quiltq login`", path)
	}
	for name, lg := range doc.Profiles {
		l.Profiles[name] = lg
	}
	return l, nil
}

// Find returns the login of profile; failing that, when catalogURL is
// set, a login of another profile to that catalog.
func (l *Logins) Find(profile, catalogURL string) (Login, bool) {
	if lg, ok := l.Profiles[profile]; ok && (catalogURL == "" || lg.CatalogURL == catalogURL) {
		return lg, true
	}
	if catalogURL == "" {
		return Login{}, false
	}
	names := make([]string, 0, len(l.Profiles))
	for name := range l.Profiles {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if l.Profiles[name].CatalogURL == catalogURL {
			return l.Profiles[name], true
		}
	}
	return Login{}, false
}

// UsedBy lists the profiles whose login is kept under registryURL in
// storage.
func (l *Logins) UsedBy(registryURL, storage string) []string {
	var names []string
	for name, lg := range l.Profiles {
		if lg.RegistryURL == registryURL && lg.Storage == storage {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	return names
}

// Registries lists, without repeats, the registry URLs of every login
// recorded for catalogURL (a trailing slash aside), under any profile and
// in any store: the keys under which a catalog's secrets may be kept.
func (l *Logins) Registries(catalogURL string) []string {
	want := strings.TrimRight(catalogURL, "/")
	var out []string
	for _, lg := range l.Profiles {
		if strings.TrimRight(lg.CatalogURL, "/") == want && lg.RegistryURL != "" && !slices.Contains(out, lg.RegistryURL) {
			out = append(out, lg.RegistryURL)
		}
	}
	sort.Strings(out)
	return out
}

// Save writes the file (mode 0600, atomically).
func (l *Logins) Save() error {
	if l.Path == "" {
		return errNoHome
	}
	data, err := json.MarshalIndent(struct {
		Profiles map[string]Login `json:"profiles"`
	}{l.Profiles}, "", "  ")
	if err != nil {
		return err
	}
	return WritePrivate(l.Path, append(data, '\n'))
}

// WritePrivate replaces the file at path with data, readable by the user
// alone (0600, in a 0700 directory it makes when missing), atomically: a
// temporary file synced, then renamed, so that a crash leaves the old
// content or the new, never half.
func WritePrivate(path string, data []byte) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+"-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // after the rename, removes nothing
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return err
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
