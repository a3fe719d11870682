package main

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/quiltq/quiltq/auth"
	"github.com/quiltq/quiltq/engine/sandbox"
	"github.com/quiltq/quiltq/engine/sandbox/sandboxtest"
)

// Logins in both stores (the plain file, then the keyring, and the
// reverse): logout removes the secret from each, and says so (issue 17,
// item 1: it used to leave the other store's working refresh token).
func TestLogoutForgetsEveryStore(t *testing.T) {
	for _, order := range [][]string{{"file", "keyring"}, {"keyring", "file"}} {
		t.Run(strings.Join(order, "-then-"), func(t *testing.T) {
			env := sandboxtest.Start(t, sandbox.Options{})
			dir := t.TempDir()
			s := &runs{t: t, env: map[string]string{"XDG_CONFIG_HOME": dir, "XDG_RUNTIME_DIR": t.TempDir()}}
			for k, v := range keyringEnv(t) {
				s.env[k] = v
			}
			keyring := &auth.Keyring{Timeout: 10 * time.Second}
			file := &auth.FileStore{Path: filepath.Join(dir, "quiltq", "credentials.json")}
			t.Cleanup(func() { _ = keyring.Delete(context.Background(), env.Info.RegistryURL) })
			for _, storage := range order {
				args := []string{"login", env.Info.CatalogURL, "--token-stdin"}
				if storage == "file" {
					args = append(args, "--insecure-storage")
				}
				if r := s.run(loginCode(t, env, "analyst"), map[string]string{"AWS_ENDPOINT_URL": env.Info.AWSEndpointURL}, args...); r.code != exitOK {
					t.Fatalf("login (%s): exit %d, stderr %s", storage, r.code, r.stderr)
				}
			}
			for _, st := range []auth.SecretStore{keyring, file} {
				if _, err := st.Load(context.Background(), env.Info.RegistryURL); err != nil {
					t.Fatalf("before logout, %s holds no login: %v", st.Where(), err)
				}
			}
			r := s.run("", nil, "logout")
			if r.code != exitOK || !strings.Contains(r.stdout, "Logged out of "+env.Info.CatalogURL) {
				t.Fatalf("logout: exit %d, stdout %q, stderr %s", r.code, r.stdout, r.stderr)
			}
			for _, st := range []auth.SecretStore{keyring, file} {
				if _, err := st.Load(context.Background(), env.Info.RegistryURL); !errors.Is(err, auth.ErrNotStored) {
					t.Errorf("after logout, %s still answers %v", st.Where(), err)
				}
				if !strings.Contains(r.stderr, "removed the login from "+st.Where()) {
					t.Errorf("logout does not say it removed the login from %s: %s", st.Where(), r.stderr)
				}
			}
		})
	}
}
