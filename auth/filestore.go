package auth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"sync"

	"github.com/quiltq/quiltq/config"
	"github.com/quiltq/quiltq/engine"
)

// FileStore is the SecretStore the user must ask for (--insecure-storage,
// or insecure_storage = true): logins in plain text in a file of mode
// 0600, as quilt3's auth.json keeps them ({"<registry URL>":
// {"refresh_token", "access_token", "expires_at"}}). Anyone who can read
// the file can act as the user, so a warning goes to Warn whenever a login
// is read from the file or saved in it (never for a login that was not).
type FileStore struct {
	// Path is the file, usually credentials.json in quiltq's config dir.
	Path string
	// Warn receives the warning (nil: none, for tests only), once per
	// FileStore: once per command.
	Warn io.Writer

	warned sync.Once
}

var _ SecretStore = (*FileStore)(nil)

// Name is SourceFile.
func (f *FileStore) Name() string { return SourceFile }

// Where names the file.
func (f *FileStore) Where() string { return "the plain-text file " + f.Path }

func (f *FileStore) warn() {
	if f.Warn != nil {
		f.warned.Do(func() {
			fmt.Fprintf(f.Warn, "quiltq: warning: the Quilt login is kept in plain text in %s (insecure storage): anyone who can read that file can act as you; `quiltq logout` removes it\n", f.Path)
		})
	}
}

func (f *FileStore) read() (map[string]storedTokens, error) {
	m := map[string]storedTokens{}
	data, err := config.ReadFile(f.Path)
	if errors.Is(err, fs.ErrNotExist) {
		return m, nil
	}
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, fmt.Errorf("%s is not a quiltq credentials file (JSON keyed by registry URL): remove it and run `quiltq login`", f.Path)
	}
	return m, nil
}

// write replaces the file atomically (a temporary file, then a rename),
// so that a crash leaves the old logins or the new ones, never half.
func (f *FileStore) write(m map[string]storedTokens) error {
	data, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	return config.WritePrivate(f.Path, append(data, '\n'))
}

// Load reads the login of registryURL.
func (f *FileStore) Load(_ context.Context, registryURL string) (Tokens, error) {
	const op = "read the Quilt login from the credentials file"
	m, err := f.read()
	if err != nil {
		return Tokens{}, &engine.Error{Op: op, Kind: engine.Credentials, Err: err}
	}
	st, ok := m[registryURL]
	if !ok || st.RefreshToken == "" {
		return Tokens{}, &engine.Error{Op: op, Kind: engine.Credentials, Err: ErrNotStored}
	}
	f.warn()
	return st.tokens(), nil
}

// Save stores t as the login of registryURL, keeping the others.
func (f *FileStore) Save(_ context.Context, registryURL string, t Tokens) error {
	const op = "save the Quilt login in the credentials file"
	if t.RefreshToken == "" {
		return &engine.Error{Op: op, Kind: engine.Invalid, Err: errors.New("a login without a refresh token or API key cannot be stored")}
	}
	m, err := f.read()
	if err != nil {
		return &engine.Error{Op: op, Kind: engine.Credentials, Err: err}
	}
	m[registryURL] = encodeTokens(t)
	if err := f.write(m); err != nil {
		return &engine.Error{Op: op, Kind: engine.Other, Err: err}
	}
	f.warn()
	return nil
}

// CanSave reads the file, to find out whether a login could be saved in
// it.
func (f *FileStore) CanSave(context.Context, string) error {
	if _, err := f.read(); err != nil {
		return &engine.Error{Op: "save the Quilt login in the credentials file", Kind: engine.Credentials, Err: err}
	}
	return nil
}

// Delete removes the login of registryURL, and the file when it was the
// last.
func (f *FileStore) Delete(ctx context.Context, registryURL string) error {
	_, err := f.remove(ctx, registryURL)
	return err
}

// remove removes the login of registryURL, and the file when it was the
// last, and reports whether there was one.
func (f *FileStore) remove(_ context.Context, registryURL string) (bool, error) {
	const op = "remove the Quilt login from the credentials file"
	m, err := f.read()
	if err != nil {
		return false, &engine.Error{Op: op, Kind: engine.Credentials, Err: err}
	}
	if _, ok := m[registryURL]; !ok {
		return false, nil
	}
	delete(m, registryURL)
	if len(m) == 0 {
		err = os.Remove(f.Path)
	} else {
		err = f.write(m)
	}
	if err != nil {
		return false, &engine.Error{Op: op, Kind: engine.Other, Err: err}
	}
	return true, nil
}
