package main

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/quiltq/quiltq/auth"
	"github.com/quiltq/quiltq/engine/sandbox"
	"github.com/quiltq/quiltq/engine/sandbox/sandboxtest"
)

// callLog collects the sandbox's request log: every AWS call, and every
// request to the catalog and the registry.
type callLog struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *callLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

// take returns the calls logged since the last take: the AWS operation,
// or the path of a catalog or registry request.
func (l *callLog) take() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []string
	for _, line := range strings.Split(l.buf.String(), "\n") {
		field := ""
		switch {
		case strings.Contains(line, "msg=aws "):
			field = " op="
		case strings.Contains(line, "msg=http "):
			field = " path="
		default:
			continue
		}
		_, v, _ := strings.Cut(line, field)
		if strings.HasPrefix(v, `"`) {
			v, _, _ = strings.Cut(v[1:], `"`)
		} else {
			v, _, _ = strings.Cut(v, " ")
		}
		out = append(out, v)
	}
	l.buf.Reset()
	return out
}

// A warm `quiltq -e 'SELECT 1'` makes only the query's own calls:
// StartQueryExecution, one poll and the result read. The AWS credentials
// are kept beside the login in its store (here the keyring, else the
// file) until 5 minutes before they expire, the catalog's config.json and
// the workgroup chosen for the principal in the cache dir; none of those
// files holds a secret.
func TestWarmOneShot(t *testing.T) {
	for _, storage := range []string{"file", "keyring"} {
		t.Run(storage, func(t *testing.T) { warmOneShot(t, storage) })
	}
}

func warmOneShot(t *testing.T, storage string) {
	log := &callLog{}
	env := sandboxtest.Start(t, sandbox.Options{Latency: 20 * time.Millisecond, Log: slog.New(slog.NewTextHandler(log, nil))})
	home := t.TempDir()
	s := &runs{t: t, env: map[string]string{
		"XDG_CONFIG_HOME": filepath.Join(home, "config"), "XDG_CACHE_HOME": filepath.Join(home, "cache"), "XDG_RUNTIME_DIR": t.TempDir(),
	}}
	loginArgs := []string{"login", env.Info.CatalogURL, "--token-stdin"}
	var store auth.SecretStore = &auth.FileStore{Path: filepath.Join(home, "config", "quiltq", "credentials.json")}
	if storage == "keyring" {
		for k, v := range keyringEnv(t) {
			s.env[k] = v
		}
		store = &auth.Keyring{Timeout: 10 * time.Second}
		t.Cleanup(func() { _ = store.Delete(context.Background(), env.Info.RegistryURL) })
	} else {
		loginArgs = append(loginArgs, "--insecure-storage")
	}
	if r := s.run(loginCode(t, env, "admin"), map[string]string{"AWS_ENDPOINT_URL": env.Info.AWSEndpointURL}, loginArgs...); r.code != exitOK {
		t.Fatalf("login: exit %d, stderr %s", r.code, r.stderr)
	}
	stored, err := store.Load(context.Background(), env.Info.RegistryURL)
	if err != nil || stored.AWS == nil || !strings.Contains(stored.AWS.Principal, "assumed-role/QuiltAdmin-sales-prod/admin") {
		t.Fatalf("the login did not keep its verified AWS credentials and principal: %v", err)
	}
	log.take()

	query := func() []string {
		t.Helper()
		r := s.run("", nil, "-o", "csv", "-e", "SELECT 1 AS n")
		if r.code != exitOK || r.stdout != "\"n\"\n\"1\"\n" {
			t.Fatalf("query: exit %d, stdout %q, stderr %s", r.code, r.stdout, r.stderr)
		}
		return log.take()
	}
	// The first query after login chooses the workgroup; it reads neither
	// config.json nor the registry, which login read a moment ago.
	cold := query()
	if !contains(cold, "ListWorkGroups") || contains(cold, "/config.json") || contains(cold, "/registry/api/auth/get_credentials") {
		t.Errorf("cold calls: %v", cold)
	}
	warm := query()
	if len(warm) != 3 || warm[0] != "StartQueryExecution" || warm[1] != "GetQueryExecution" ||
		!strings.HasPrefix(warm[2], "GET /sales-prod-userathenaresultsbucket-1x7kq3bzr9wm/athena-results/") {
		t.Errorf("warm calls: %v, want StartQueryExecution, GetQueryExecution and the result GET", warm)
	}

	// The workgroup the cache names is gone: Athena refuses it, quiltq
	// chooses anew and the query runs.
	files, _ := filepath.Glob(filepath.Join(home, "cache", "quiltq", "workgroups", "*.json"))
	if len(files) != 1 {
		t.Fatalf("workgroup cache files: %v", files)
	}
	edit := func(change func(map[string]any)) {
		t.Helper()
		data, err := os.ReadFile(files[0])
		if err != nil {
			t.Fatal(err)
		}
		var c map[string]any
		if err := json.Unmarshal(data, &c); err != nil {
			t.Fatal(err)
		}
		change(c)
		data, _ = json.Marshal(c)
		if err := os.WriteFile(files[0], data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	edit(func(c map[string]any) { c["workgroup"].(map[string]any)["Name"] = "QuiltUserAthena-sales-prod-Removed" })
	refreshed := query()
	if !contains(refreshed, "ListWorkGroups") || refreshed[0] != "StartQueryExecution" {
		t.Errorf("after the cached workgroup was refused: %v", refreshed)
	}
	if warm := query(); len(warm) != 3 {
		t.Errorf("after the refresh, the next query made %v", warm)
	}
	// A choice older than the TTL is made anew.
	edit(func(c map[string]any) { c["chosen"] = time.Now().Add(-25 * time.Hour).Format(time.RFC3339) })
	if again := query(); !contains(again, "ListWorkGroups") || len(again) == 3 {
		t.Errorf("a stale choice was used: %v", again)
	}

	// Kept credentials AWS refuses (here a secret key gone wrong) are
	// dropped, and the query runs with new ones from the registry.
	ctx := context.Background()
	bad, err := store.Load(ctx, env.Info.RegistryURL)
	if err != nil || bad.AWS == nil {
		t.Fatalf("no kept credentials: %v", err)
	}
	bad.AWS.SecretAccessKey = "not-the-secret"
	if err := store.Save(ctx, env.Info.RegistryURL, bad); err != nil {
		t.Fatal(err)
	}
	recovered := query()
	if !contains(recovered, "/registry/api/auth/get_credentials") {
		t.Errorf("refused kept credentials were not replaced: %v", recovered)
	}
	if now, err := store.Load(ctx, env.Info.RegistryURL); err != nil || now.AWS == nil || now.AWS.SecretAccessKey == "not-the-secret" {
		t.Errorf("the store still holds the refused credentials (%v)", err)
	}
	// The next run asks STS once who the new credentials are; the one
	// after is warm again.
	if next := query(); len(next) != 4 || next[0] != "GetCallerIdentity" {
		t.Errorf("after new credentials, the next query made %v", next)
	}
	if warm := query(); len(warm) != 3 {
		t.Errorf("then %v", warm)
	}

	// The kept AWS secret is only in the store.
	allowed := ""
	if storage == "file" {
		allowed = filepath.Join(home, "config", "quiltq", "credentials.json")
	}
	s.noSecretsAnywhere(home, allowed, []string{stored.AWS.SecretAccessKey, stored.AWS.SessionToken, stored.RefreshToken})
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
