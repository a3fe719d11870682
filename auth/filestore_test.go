package auth

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestFileStore(t *testing.T) {
	var warn bytes.Buffer
	path := filepath.Join(t.TempDir(), "quiltq", "credentials.json")
	f := &FileStore{Path: path, Warn: &warn}
	ctx := context.Background()
	if _, err := f.Load(ctx, "https://a"); !errors.Is(err, ErrNotStored) {
		t.Fatalf("Load from no file = %v, want ErrNotStored", err)
	}
	if err := f.CanSave(ctx, "https://a"); err != nil {
		t.Fatalf("CanSave with no file = %v", err)
	}
	// Nothing is kept in plain text yet: nothing to warn of.
	if warn.Len() != 0 {
		t.Errorf("a store holding nothing warned: %s", warn.String())
	}
	exp := time.Unix(1900000000, 0)
	if err := f.Save(ctx, "https://a", Tokens{RefreshToken: "ra", AccessToken: "aa", ExpiresAt: exp}); err != nil {
		t.Fatal(err)
	}
	if err := f.Save(ctx, "https://b", Tokens{RefreshToken: "qk_b"}); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("file mode %v (err %v), want 0600", fi.Mode().Perm(), err)
	}
	got, err := f.Load(ctx, "https://a")
	if err != nil || got.RefreshToken != "ra" || got.AccessToken != "aa" || !got.ExpiresAt.Equal(exp) {
		t.Fatalf("Load = err %v, want the saved tokens", err)
	}
	// quilt3's auth.json layout: registry URL -> refresh_token, access_token, expires_at.
	data, _ := os.ReadFile(path)
	for _, w := range []string{`"https://a"`, `"refresh_token": "ra"`, `"expires_at": 1900000000`} {
		if !bytes.Contains(data, []byte(w)) {
			t.Errorf("file lacks %s:\n%s", w, data)
		}
	}
	if n := strings.Count(warn.String(), "plain text in "+path); n != 1 {
		t.Errorf("%d warnings from one store, want 1:\n%s", n, warn.String())
	}
	if err := f.Delete(ctx, "https://a"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.Load(ctx, "https://a"); !errors.Is(err, ErrNotStored) {
		t.Errorf("Load after Delete = %v", err)
	}
	if _, err := f.Load(ctx, "https://b"); err != nil {
		t.Errorf("the other login went too: %v", err)
	}
	if err := f.Delete(ctx, "https://b"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the file outlived its last login: %v", err)
	}
	// A file that is not ours is an error that names it and quotes nothing.
	if err := os.WriteFile(path, []byte("token=supersecret"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err = f.Load(ctx, "https://a")
	if err == nil || !strings.Contains(err.Error(), path) || strings.Contains(err.Error(), "supersecret") {
		t.Errorf("Load of a foreign file = %v", err)
	}
}
