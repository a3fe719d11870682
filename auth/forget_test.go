package auth

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
)

// TestForgetBothStores is `quiltq logout` after a login kept in the plain
// file (--insecure-storage) and another in the keyring, for the same
// registry: both secrets go, each store says what it removed, and another
// registry's logins stay. It runs on the session's real Secret Service.
func TestForgetBothStores(t *testing.T) {
	kr := secretService(t)
	ctx := context.Background()
	key, other := randomKey(t), randomKey(t)
	t.Cleanup(func() { _ = kr.Delete(ctx, key); _ = kr.Delete(ctx, other) })
	file := &FileStore{Path: filepath.Join(t.TempDir(), "credentials.json")}
	const fileSecret, ringSecret = "file-refresh-Zq81", "ring-refresh-Xw42"
	for _, s := range []struct {
		store  SecretStore
		secret string
	}{{file, fileSecret}, {kr, ringSecret}} {
		if err := s.store.Save(ctx, key, Tokens{RefreshToken: s.secret}); err != nil {
			t.Fatalf("save in %s: %v", s.store.Name(), err)
		}
		if err := s.store.Save(ctx, other, Tokens{RefreshToken: "other-" + s.secret}); err != nil {
			t.Fatalf("save in %s: %v", s.store.Name(), err)
		}
	}

	got := Forget(ctx, []string{key, key, ""}, kr, file)
	if len(got) != 2 || got[0].Store != SourceKeyring || got[1].Store != SourceFile {
		t.Fatalf("got %+v, want the keyring's then the file's outcome", got)
	}
	for _, f := range got {
		if f.Err != nil || f.Removed != 1 {
			t.Errorf("%s: removed %d, err %v; want 1 removed", f.Store, f.Removed, f.Err)
		}
	}
	if s := got[0].String(); s != "removed the login from the OS keyring (service quiltq)" {
		t.Errorf("keyring: got %q", s)
	}
	if s := got[1].String(); s != "removed the login from the plain-text file "+file.Path {
		t.Errorf("file: got %q", s)
	}
	if err := ForgetErr(got); err != nil {
		t.Errorf("ForgetErr: %v", err)
	}
	for _, s := range []SecretStore{kr, file} {
		if _, err := s.Load(ctx, key); !errors.Is(err, ErrNotStored) {
			t.Errorf("%s still answers for the forgotten login: %v", s.Name(), err)
		}
		if tok, err := s.Load(ctx, other); err != nil || !strings.HasPrefix(tok.RefreshToken, "other-") {
			t.Errorf("%s lost another registry's login: %v", s.Name(), err)
		}
	}
	// Forgetting again finds nothing, and says so.
	again := Forget(ctx, []string{key}, kr, file)
	for _, f := range again {
		if f.Removed != 0 || f.Err != nil || !strings.HasPrefix(f.String(), "no login in ") {
			t.Errorf("second Forget, %s: %+v %q", f.Store, f, f.String())
		}
	}
	for _, f := range append(got, again...) {
		for _, secret := range []string{fileSecret, ringSecret} {
			if strings.Contains(f.String(), secret) {
				t.Errorf("%q reveals a secret", f.String())
			}
		}
	}
}

// TestForgetUnreachableKeyring: with no keyring to ask, the file's secret
// is still removed, and the outcome says the keyring could not be checked
// rather than claiming it holds nothing.
func TestForgetUnreachableKeyring(t *testing.T) {
	ctx := context.Background()
	kr := noBus(t) // fails the test if any keyring call is made
	file := &FileStore{Path: filepath.Join(t.TempDir(), "credentials.json")}
	if err := file.Save(ctx, "https://registry.example.com", Tokens{RefreshToken: "s3cret-r"}); err != nil {
		t.Fatal(err)
	}
	got := Forget(ctx, []string{"https://registry.example.com"}, kr, file)
	if got[1].Err != nil || got[1].Removed != 1 {
		t.Errorf("file: %+v, want its login removed", got[1])
	}
	if !errors.Is(got[0].Err, ErrNoKeyring) || !strings.HasPrefix(got[0].String(), "could not check the OS keyring (service quiltq), so a login may remain there: ") {
		t.Errorf("keyring: %+v %q", got[0], got[0].String())
	}
	err := ForgetErr(got)
	if !errors.Is(err, ErrNoKeyring) || !strings.Contains(err.Error(), "could not check the OS keyring") || strings.Contains(err.Error(), "plain-text") {
		t.Errorf("ForgetErr = %v", err)
	}
	noSecrets(t, err, "s3cret-r")
}

// memStore is a SecretStore that is not a remover: Forget asks it with
// Load before Delete.
type memStore map[string]Tokens

func (m memStore) Load(_ context.Context, k string) (Tokens, error) {
	t, ok := m[k]
	if !ok {
		return Tokens{}, ErrNotStored
	}
	return t, nil
}
func (m memStore) Save(_ context.Context, k string, t Tokens) error { m[k] = t; return nil }
func (m memStore) Delete(_ context.Context, k string) error         { delete(m, k); return nil }
func (m memStore) CanSave(context.Context, string) error            { return nil }
func (m memStore) Name() string                                     { return "memory" }
func (m memStore) Where() string                                    { return "memory" }

func TestForgetOtherStores(t *testing.T) {
	m := memStore{"https://a": {RefreshToken: "x"}, "https://b": {RefreshToken: "y"}}
	got := Forget(context.Background(), []string{"https://a", "https://c"}, m)
	if got[0].Removed != 1 || got[0].Err != nil || len(m) != 1 {
		t.Errorf("got %+v, store %v; want https://a removed and https://b kept", got[0], m)
	}
	if s := (Forgotten{Where: "w", Removed: 2}).String(); s != "removed 2 logins from w" {
		t.Errorf("two removed: %q", s)
	}
}
