package session_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/quiltq/quiltq/auth"
	"github.com/quiltq/quiltq/config"
	"github.com/quiltq/quiltq/engine/catalogcache"
	"github.com/quiltq/quiltq/engine/sandbox"
	"github.com/quiltq/quiltq/engine/sandbox/sandboxtest"
	"github.com/quiltq/quiltq/engine/session"
)

// openIn opens a session on env as user with its caches under cacheHome;
// place is the login's Place.
func openIn(t *testing.T, env *sandboxtest.Env, user, cacheHome, place string) *session.Session {
	t.Helper()
	vars := map[string]string{"XDG_CONFIG_HOME": t.TempDir(), "XDG_CACHE_HOME": cacheHome}
	getenv := func(k string) string { return vars[k] }
	st, err := config.Load(getenv, "")
	if err != nil {
		t.Fatal(err)
	}
	u := env.User(t, user)
	s, err := session.Open(context.Background(), session.Options{
		Settings: st, Getenv: getenv,
		Login: &session.TokenLogin{CatalogURL: env.Info.CatalogURL, RefreshToken: u.RefreshToken, AWSEndpointURL: env.Info.AWSEndpointURL, Source: auth.SourceSandbox, Place: place},
	})
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	return s
}

// The per-principal caches name where the principal was seen: the same
// user of the same stack (one STS ARN, one region) behind two endpoints
// and catalogs gets two listings and two store keys, never the other's.
func TestPerPrincipalKeysNameEndpointAndCatalog(t *testing.T) {
	ctx := context.Background()
	cache := t.TempDir()
	a := sandboxtest.Start(t, sandbox.Options{})
	b := sandboxtest.Start(t, sandbox.Options{})
	sa, sb := openIn(t, a, "admin", cache, ""), openIn(t, b, "admin", cache, "")

	arnA, err := sa.Principal(ctx)
	if err != nil {
		t.Fatal(err)
	}
	arnB, err := sb.Principal(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if arnA != arnB {
		t.Fatalf("the two stacks name the admin %q and %q; the test needs one principal", arnA, arnB)
	}

	if _, err := sa.List(ctx, session.ListOptions{Refresh: true}); err != nil {
		t.Fatalf("list: %v", err)
	}
	// The listing is filed under the whole key, as catalogcache.NewKey
	// builds it.
	c := &catalogcache.Cache{Dir: filepath.Join(cache, "quiltq", "catalog")}
	want := catalogcache.NewKey(arnA, sa.Region(), a.Info.AWSEndpointURL, a.Info.CatalogURL)
	if want.Account == "" || want.Endpoint == "" || want.CatalogURL == "" {
		t.Fatalf("key %+v lacks a part", want)
	}
	if _, ok, err := c.Load(want); !ok || err != nil {
		t.Errorf("no listing under %+v (ok %v, err %v)", want, ok, err)
	}
	if _, _, ok := sa.CachedListing(ctx); !ok {
		t.Error("the session does not find the listing it cached")
	}
	if _, _, ok := sb.CachedListing(ctx); ok {
		t.Error("the same principal behind another endpoint and catalog was served the first one's listing")
	}

	ka, err := sa.StoreKey(ctx)
	if err != nil {
		t.Fatal(err)
	}
	kb, err := sb.StoreKey(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if ka == kb {
		t.Errorf("both sessions have store key %q", ka)
	}
	for _, part := range []string{arnA, sa.Region(), strings.TrimRight(a.Info.AWSEndpointURL, "/"), strings.TrimRight(a.Info.CatalogURL, "/")} {
		if !strings.Contains(ka, part) {
			t.Errorf("store key %q lacks %q", ka, part)
		}
	}
}

// A login handed in with a Place (the embedded sandbox, whose port is new
// at each run) keys its caches by the Place: the next run finds them.
func TestPlaceKeysAHandedInLogin(t *testing.T) {
	ctx := context.Background()
	cache := t.TempDir()
	first := openIn(t, sandboxtest.Start(t, sandbox.Options{}), "admin", cache, "the embedded sandbox")
	if _, err := first.List(ctx, session.ListOptions{Refresh: true}); err != nil {
		t.Fatalf("list: %v", err)
	}
	next := openIn(t, sandboxtest.Start(t, sandbox.Options{}), "admin", cache, "the embedded sandbox")
	if _, _, ok := next.CachedListing(ctx); !ok {
		t.Error("the next run of the same place does not find the listing")
	}
	k1, err1 := first.StoreKey(ctx)
	k2, err2 := next.StoreKey(ctx)
	if err1 != nil || err2 != nil || k1 != k2 || !strings.Contains(k1, "the embedded sandbox") {
		t.Errorf("store keys %q (%v) and %q (%v), want one naming the place", k1, err1, k2, err2)
	}
}
