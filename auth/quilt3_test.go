package auth

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/quiltq/quiltq/config"
	"github.com/quiltq/quiltq/engine/sandbox"
	"github.com/quiltq/quiltq/engine/sandbox/sandboxtest"
)

// quilt3Login writes quilt3's auth.json in a new directory with one
// login, as quilt3's _save_auth writes it, and reads it back.
func quilt3Login(t *testing.T, registryURL string, tok Tokens) (dir string, l config.Quilt3Login) {
	t.Helper()
	dir = t.TempDir()
	exp := float64(tok.ExpiresAt.Unix())
	data, err := json.Marshal(map[string]any{registryURL: map[string]any{
		"refresh_token": tok.RefreshToken, "access_token": tok.AccessToken, "expires_at": exp}})
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "auth.json"), data, 0o600); err != nil {
		t.Fatal(err)
	}
	q, err := config.ReadQuilt3(dir)
	if err != nil {
		t.Fatal(err)
	}
	l, ok := q.Login(registryURL)
	if !ok {
		t.Fatal("quilt3's login was not read back")
	}
	return dir, l
}

// stillLoggedIn fails unless quilt3's login in dir still exchanges, after
// quiltq has rotated its own login several times.
func stillLoggedIn(t *testing.T, reg *Registry, dir string) {
	t.Helper()
	q, err := config.ReadQuilt3(dir)
	if err != nil {
		t.Fatal(err)
	}
	l, ok := q.Login(reg.URL)
	if !ok {
		t.Fatal("quilt3's auth.json has no login any more")
	}
	if _, err := reg.Exchange(context.Background(), l.RefreshToken); err != nil {
		t.Errorf("quilt3 was logged out: its refresh token is refused: %v", err)
	}
}

// TestImportQuilt3: quiltq takes over quilt3's login with a login code of
// its own, so that rotating quiltq's login never logs quilt3 out; when
// quilt3's access token has expired, quilt3's login is refreshed once and
// written back to its auth.json.
func TestImportQuilt3(t *testing.T) {
	env := sandboxtest.Start(t, sandbox.Options{})
	reg, count := registryFor(t, env)
	ctx := context.Background()
	rotate := func(code string) {
		t.Helper()
		tok, err := reg.Exchange(ctx, code)
		for i := 0; err == nil && i < 3; i++ {
			tok, err = reg.Exchange(ctx, tok.RefreshToken)
		}
		if err != nil {
			t.Fatalf("quiltq's own login: %v", err)
		}
	}

	t.Run("access token fresh: quilt3's login untouched", func(t *testing.T) {
		q3, err := reg.Exchange(ctx, env.User(t, "analyst").RefreshToken)
		if err != nil {
			t.Fatal(err)
		}
		dir, l := quilt3Login(t, reg.URL, q3)
		before, _ := os.ReadFile(filepath.Join(dir, "auth.json"))
		exchanges := count.get(tokenPath)
		imp, err := ImportQuilt3(ctx, reg, dir, reg.URL, l)
		if err != nil || imp.Code == "" || imp.Refreshed || imp.WroteBack {
			t.Fatalf("ImportQuilt3 = %+v, %v; want a code and no refresh", imp, err)
		}
		if n := count.get(tokenPath) - exchanges; n != 0 {
			t.Errorf("%d exchanges of quilt3's refresh token, want none", n)
		}
		if imp.Code == l.RefreshToken {
			t.Error("the code is quilt3's own refresh token")
		}
		rotate(imp.Code)
		if after, _ := os.ReadFile(filepath.Join(dir, "auth.json")); string(after) != string(before) {
			t.Errorf("auth.json changed:\n%s\nwas\n%s", after, before)
		}
		stillLoggedIn(t, reg, dir)
	})

	t.Run("access token expired: refreshed and written back", func(t *testing.T) {
		q3, err := reg.Exchange(ctx, env.User(t, "reader").RefreshToken)
		if err != nil {
			t.Fatal(err)
		}
		q3.ExpiresAt = env.Clock.Now().Add(30 * time.Second) // within the refresh margin
		dir, l := quilt3Login(t, reg.URL, q3)
		imp, err := ImportQuilt3(ctx, reg, dir, reg.URL, l)
		if err != nil || imp.Code == "" || !imp.Refreshed || !imp.WroteBack || imp.Note != "" {
			t.Fatalf("ImportQuilt3 = %+v, %v; want a refresh written back", imp, err)
		}
		q, err := config.ReadQuilt3(dir)
		if err != nil {
			t.Fatal(err)
		}
		now, _ := q.Login(reg.URL)
		if now.RefreshToken == l.RefreshToken || now.AccessToken == l.AccessToken || now.ExpiresAt == nil || *now.ExpiresAt <= float64(env.Clock.Now().Unix()) {
			t.Errorf("auth.json after the refresh: %+v, want the rotated tokens and a later expiry", now)
		}
		if fi, err := os.Stat(filepath.Join(dir, "auth.json")); err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("auth.json mode %v, %v; want 0600", fi.Mode().Perm(), err)
		}
		rotate(imp.Code)
		stillLoggedIn(t, reg, dir)
	})

	t.Run("quilt3 refreshed meanwhile: its login is not overwritten", func(t *testing.T) {
		q3, err := reg.Exchange(ctx, env.User(t, "admin").RefreshToken)
		if err != nil {
			t.Fatal(err)
		}
		q3.ExpiresAt = env.Clock.Now()
		dir, l := quilt3Login(t, reg.URL, q3)
		// quilt3 rotates its login after quiltq read auth.json.
		moved, err := reg.Exchange(ctx, q3.RefreshToken)
		if err != nil {
			t.Fatal(err)
		}
		quilt3Login2 := filepath.Join(dir, "auth.json")
		data, _ := json.Marshal(map[string]any{reg.URL: map[string]any{"refresh_token": moved.RefreshToken, "access_token": moved.AccessToken, "expires_at": float64(moved.ExpiresAt.Unix())}})
		if err := os.WriteFile(quilt3Login2, data, 0o600); err != nil {
			t.Fatal(err)
		}
		imp, err := ImportQuilt3(ctx, reg, dir, reg.URL, l)
		if err != nil || imp.Code == "" || imp.WroteBack || !strings.Contains(imp.Note, "changed meanwhile") {
			t.Fatalf("ImportQuilt3 = %+v, %v; want a code, no write-back and a note", imp, err)
		}
		if after, _ := os.ReadFile(quilt3Login2); string(after) != string(data) {
			t.Errorf("quilt3's newer login was overwritten")
		}
		rotate(imp.Code)
		stillLoggedIn(t, reg, dir)
	})

	t.Run("quilt3's login revoked", func(t *testing.T) {
		dir, l := quilt3Login(t, reg.URL, Tokens{RefreshToken: "revoked", ExpiresAt: env.Clock.Now()})
		_, err := ImportQuilt3(ctx, reg, dir, reg.URL, l)
		if err == nil || !strings.Contains(err.Error(), "quiltq login") {
			t.Errorf("got %v, want the refused login", err)
		}
	})
}
