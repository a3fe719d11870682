package main

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/quiltq/quiltq/auth"
	"github.com/quiltq/quiltq/config"
	"github.com/quiltq/quiltq/engine/sandbox"
	"github.com/quiltq/quiltq/engine/sandbox/sandboxtest"
	"github.com/quiltq/quiltq/engine/session"
)

// loginCode fetches a fresh login code for user from the sandbox
// catalog's /code page, as a person would copy it.
func loginCode(t *testing.T, env *sandboxtest.Env, user string) string {
	t.Helper()
	resp, err := http.Get(env.Info.CatalogURL + "/code?user=" + user)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	m := regexp.MustCompile(`<code id="code">([^<]+)</code>`).FindSubmatch(body)
	if m == nil {
		t.Fatalf("no code on the /code page: %s", body)
	}
	return string(m[1])
}

// runs records every output of a sequence of quiltq runs, to search
// them for secrets at the end.
type runs struct {
	t       *testing.T
	env     map[string]string
	outputs []string
}

func (s *runs) run(stdin string, extra map[string]string, args ...string) result {
	s.t.Helper()
	env := map[string]string{}
	for k, v := range s.env {
		env[k] = v
	}
	for k, v := range extra {
		env[k] = v
	}
	r := quiltq(s.t, sandboxtest.Context(s.t), env, stdin, args...)
	s.outputs = append(s.outputs, r.stdout, r.stderr)
	return r
}

// noSecretsAnywhere fails if a secret is in an output or in a file under
// dir other than allowed.
func (s *runs) noSecretsAnywhere(dir, allowed string, secrets []string) {
	s.t.Helper()
	for _, out := range s.outputs {
		for _, sec := range secrets {
			if sec != "" && strings.Contains(out, sec) {
				s.t.Errorf("a token appears in the output: %q", out)
			}
		}
	}
	_ = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || path == allowed {
			return nil
		}
		data, _ := os.ReadFile(path)
		for _, sec := range secrets {
			if sec != "" && strings.Contains(string(data), sec) {
				s.t.Errorf("a token is in the file %s", path)
			}
		}
		return nil
	})
}

// keyringEnv returns the environment entries that reach the session's
// Secret Service, skipping the test when there is none.
func keyringEnv(t *testing.T) map[string]string {
	t.Helper()
	k := &auth.Keyring{Timeout: 10 * time.Second}
	if _, err := k.Load(context.Background(), "https://quiltq-probe.invalid"); err != nil && !errors.Is(err, auth.ErrNotStored) {
		msg := "no Secret Service (run under dbus-run-session with gnome-keyring-daemon unlocked, as .ci/run does): " + err.Error()
		if os.Getenv("QUILTQ_REQUIRE_TOOLS") == "1" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	return map[string]string{"DBUS_SESSION_BUS_ADDRESS": os.Getenv("DBUS_SESSION_BUS_ADDRESS")}
}

func TestLoginFlowKeyring(t *testing.T) {
	loginFlow(t, "keyring")
}

func TestLoginFlowInsecureFile(t *testing.T) {
	loginFlow(t, "file")
}

// loginFlow is the whole story against the sandbox: code page, exchange,
// store, credentials and a query with no environment variables, refresh
// and rotation, a crash between refresh and save, whoami, roles, a
// revoked login, logout; no token in any output or file but the store.
func loginFlow(t *testing.T, storage string) {
	// Access tokens shorter than the refresh margin: every command that
	// asks the registry refreshes, and the SDK's signatures stay on the
	// real clock. The AWS credentials are kept with the login, so queries
	// ask the registry for nothing while they are good: the refresh
	// steps below use whoami, which asks the registry who the user is.
	env := sandboxtest.Start(t, sandbox.Options{AccessTokenTTL: 30 * time.Second})
	dir := t.TempDir()
	s := &runs{t: t, env: map[string]string{"XDG_CONFIG_HOME": dir, "XDG_RUNTIME_DIR": t.TempDir()}}
	var store auth.SecretStore
	loginArgs := []string{"login", env.Info.CatalogURL, "--token-stdin"}
	credFile := filepath.Join(dir, "quiltq", "credentials.json")
	if storage == "keyring" {
		for k, v := range keyringEnv(t) {
			s.env[k] = v
		}
		store = &auth.Keyring{Timeout: 10 * time.Second}
		t.Cleanup(func() { _ = store.Delete(context.Background(), env.Info.RegistryURL) })
	} else {
		loginArgs = append(loginArgs, "--insecure-storage")
		store = &auth.FileStore{Path: credFile}
	}
	ctx := context.Background()
	var secrets []string
	load := func() auth.Tokens {
		t.Helper()
		tok, err := store.Load(ctx, env.Info.RegistryURL)
		if err != nil {
			t.Fatalf("loading the stored login: %v", err)
		}
		secrets = append(secrets, tok.RefreshToken, tok.AccessToken)
		return tok
	}

	code := loginCode(t, env, "analyst")
	secrets = append(secrets, code)
	r := s.run(code, map[string]string{"AWS_ENDPOINT_URL": env.Info.AWSEndpointURL}, loginArgs...)
	if r.code != exitOK {
		t.Fatalf("login: exit %d, stderr %s", r.code, r.stderr)
	}
	for _, w := range []string{"as analyst <analyst@example.com>", "role:          ReadWriteQuiltV2-sales-prod", "assumed-role/ReadWriteQuiltV2-sales-prod/analyst"} {
		if !strings.Contains(r.stdout, w) {
			t.Errorf("login output lacks %q:\n%s", w, r.stdout)
		}
	}
	first := load()
	if first.RefreshToken == code {
		t.Error("the stored refresh token is the code itself, not the rotated one")
	}
	if storage == "keyring" {
		if path, err := exec.LookPath("secret-tool"); err == nil {
			out, err := exec.Command(path, "lookup", "service", "quiltq", "username", env.Info.RegistryURL).Output()
			if err != nil || !strings.Contains(string(out), first.RefreshToken) {
				t.Errorf("secret-tool does not find the login under service quiltq (err %v)", err)
			}
		}
		if _, err := os.Stat(credFile); err == nil {
			t.Error("a credentials file was written although the keyring works")
		}
	} else {
		fi, err := os.Stat(credFile)
		if err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("credentials file mode %v (err %v), want 0600", fi.Mode().Perm(), err)
		}
		if !strings.Contains(r.stderr, "plain text in "+credFile) {
			t.Errorf("login with --insecure-storage did not warn:\n%s", r.stderr)
		}
	}

	// A query with no environment variables: the stored login, and the
	// AWS endpoint it was verified against.
	query := func(wantCode int) result {
		t.Helper()
		r := s.run("", nil, "-o", "csv", "--stats", "-e", "SELECT 1 AS n")
		if r.code != wantCode {
			t.Fatalf("query: exit %d, want %d; stderr %s", r.code, wantCode, r.stderr)
		}
		if wantCode == exitOK {
			if r.stdout != "\"n\"\n\"1\"\n" || !strings.Contains(r.stderr, `"credentials":"`+storage+`"`) {
				t.Errorf("query: stdout %q, stderr %s; want 1 and credentials from %s", r.stdout, r.stderr, storage)
			}
			if storage == "file" && !strings.Contains(r.stderr, "warning: the Quilt login is kept in plain text") {
				t.Errorf("a command using the credentials file did not warn:\n%s", r.stderr)
			}
		}
		return r
	}
	query(exitOK)

	whoami := func() session.Identity {
		t.Helper()
		r := s.run("", nil, "whoami", "--json")
		if r.code != exitOK {
			t.Fatalf("whoami: exit %d: %s", r.code, r.stderr)
		}
		var id session.Identity
		if err := json.Unmarshal([]byte(r.stdout), &id); err != nil {
			t.Fatalf("whoami --json: %v in %s", err, r.stdout)
		}
		return id
	}
	id := whoami()
	if id.User != "analyst" || id.Role != "ReadWriteQuiltV2-sales-prod" || len(id.Roles) != 2 ||
		!strings.HasSuffix(id.PrincipalARN, ":assumed-role/ReadWriteQuiltV2-sales-prod/analyst") ||
		id.CredentialSource != storage || id.TokenExpiresAt == nil || id.CatalogURL != env.Info.CatalogURL {
		t.Errorf("whoami = %+v", id)
	}

	// Refresh: inside the access token's refresh margin, the next command
	// that asks the registry exchanges and the rotated refresh token is
	// stored.
	whoami()
	second := load()
	if second.RefreshToken == first.RefreshToken || second.ExpiresAt.Before(first.ExpiresAt) {
		t.Fatal("the refresh did not store a rotated refresh token and a later expiry")
	}

	// A crash between refresh and save: another process exchanged the
	// stored token and died before saving. The next run still works, and
	// stores the successor the crashed process never saved.
	reg := &auth.Registry{URL: env.Info.RegistryURL, Now: env.Clock.Now}
	lost, err := reg.Exchange(ctx, second.RefreshToken)
	if err != nil {
		t.Fatal(err)
	}
	secrets = append(secrets, lost.RefreshToken, lost.AccessToken)
	whoami()
	query(exitOK)
	if third := load(); third.RefreshToken != lost.RefreshToken {
		t.Error("after the crash, the stored refresh token is not the successor the registry issued")
	}

	// Roles: list, switch, and the AWS principal follows.
	r = s.run("", nil, "role")
	if r.code != exitOK || !strings.Contains(r.stdout, "* ReadWriteQuiltV2-sales-prod\n") || !strings.Contains(r.stdout, "  ReadOnlyQuilt\n") {
		t.Errorf("role: exit %d, stdout %q, stderr %s", r.code, r.stdout, r.stderr)
	}
	r = s.run("", nil, "role", "ReadOnlyQuilt")
	if r.code != exitOK || !strings.Contains(r.stdout, "assumed-role/ReadOnlyQuilt/analyst") {
		t.Errorf("role ReadOnlyQuilt: exit %d, stdout %q, stderr %s", r.code, r.stdout, r.stderr)
	}
	if id := whoami(); id.Role != "ReadOnlyQuilt" || !strings.Contains(id.PrincipalARN, "assumed-role/ReadOnlyQuilt/analyst") {
		t.Errorf("after the switch, whoami = %+v", id)
	}
	r = s.run("", nil, "role", "QuiltAdmin-sales-prod")
	if r.code != exitUsage || !strings.Contains(r.stderr, "not available") || !strings.Contains(r.stderr, "`quiltq role` lists") {
		t.Errorf("switch to a role not granted: exit %d, stderr %s", r.code, r.stderr)
	}

	// A revoked login: exit 4 and "run `quiltq login`", not SDK errors.
	stored := load()
	t1, err := reg.Exchange(ctx, stored.RefreshToken)
	if err != nil {
		t.Fatal(err)
	}
	t2, err := reg.Exchange(ctx, t1.RefreshToken) // revokes the stored one
	if err != nil {
		t.Fatal(err)
	}
	secrets = append(secrets, t1.RefreshToken, t1.AccessToken, t2.RefreshToken, t2.AccessToken)
	r = s.run("", nil, "whoami")
	if r.code != exitCredentials || !strings.Contains(r.stderr, "run `quiltq login`") || strings.Contains(r.stderr, "operation error") {
		t.Errorf("revoked login: whoami exit %d, stderr %s", r.code, r.stderr)
	}
	// Once the registry refused the login, the AWS credentials it bought
	// are not used for it any more.
	r = query(exitCredentials)
	if !strings.Contains(r.stderr, "run `quiltq login`") || strings.Contains(r.stderr, "operation error") {
		t.Errorf("revoked login: stderr %s", r.stderr)
	}

	r = s.run("", nil, "logout")
	if r.code != exitOK || !strings.Contains(r.stdout, "Logged out of "+env.Info.CatalogURL) {
		t.Fatalf("logout: exit %d, stdout %q, stderr %s", r.code, r.stdout, r.stderr)
	}
	if _, err := store.Load(ctx, env.Info.RegistryURL); !errors.Is(err, auth.ErrNotStored) {
		t.Errorf("after logout the store still answers %v", err)
	}
	r = query(exitCredentials)
	if !strings.Contains(r.stderr, "quiltq login") {
		t.Errorf("after logout: %s", r.stderr)
	}
	if _, err := os.Stat(credFile); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("the credentials file outlived logout: %v", err)
	}
	s.noSecretsAnywhere(dir, "", secrets)
}

// Without a keyring, login fails at once and clearly, stores nothing, and
// the same code still works with --insecure-storage.
func TestLoginWithoutKeyring(t *testing.T) {
	env := sandboxtest.Start(t, sandbox.Options{})
	dir := t.TempDir()
	s := &runs{t: t, env: map[string]string{
		"XDG_CONFIG_HOME": dir, "XDG_RUNTIME_DIR": t.TempDir(), "AWS_ENDPOINT_URL": env.Info.AWSEndpointURL,
	}}
	code := loginCode(t, env, "reader")
	r := s.run(code, nil, "login", env.Info.CatalogURL, "--token-stdin")
	if r.code != exitCredentials {
		t.Fatalf("exit %d, want %d; stderr %s", r.code, exitCredentials, r.stderr)
	}
	for _, w := range []string{"no D-Bus session bus", "QUILTQ_TOKEN", "--insecure-storage", "save the Quilt login in the keyring"} {
		if !strings.Contains(r.stderr, w) {
			t.Errorf("stderr lacks %q: %s", w, r.stderr)
		}
	}
	if strings.Contains(r.stderr, "read the Quilt login") {
		t.Errorf("saving a login calls its failure a read: %s", r.stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, "quiltq", "logins.json")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a failed login recorded itself: %v", err)
	}
	r = s.run(code, nil, "login", env.Info.CatalogURL, "--token-stdin", "--insecure-storage")
	if r.code != exitOK || !strings.Contains(r.stdout, "assumed-role/ReadOnlyQuilt/reader") {
		t.Errorf("retry with --insecure-storage: exit %d, stdout %q, stderr %s", r.code, r.stdout, r.stderr)
	}
	s.noSecretsAnywhere(dir, filepath.Join(dir, "quiltq", "credentials.json"), []string{code})
}

// quilt3's login is offered when quiltq has none, and imported.
func TestLoginFromQuilt3(t *testing.T) {
	env := sandboxtest.Start(t, sandbox.Options{})
	home := t.TempDir()
	q3 := filepath.Join(home, ".local", "share", "Quilt")
	if err := os.MkdirAll(q3, 0o700); err != nil {
		t.Fatal(err)
	}
	token := env.User(t, "analyst").RefreshToken
	files := map[string]string{
		"config.yml": "navigator_url: " + env.Info.CatalogURL + "\nregistryUrl: " + env.Info.RegistryURL + "\n",
		"auth.json":  `{"` + env.Info.RegistryURL + `": {"refresh_token": "` + token + `", "access_token": "", "expires_at": 0}}`,
	}
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(q3, name), []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	s := &runs{t: t, env: map[string]string{"HOME": home, "XDG_CONFIG_HOME": filepath.Join(home, ".config"), "XDG_RUNTIME_DIR": t.TempDir()}}
	r := s.run("", map[string]string{"QUILTQ_CATALOG_URL": env.Info.CatalogURL}, "-e", "SELECT 1")
	if r.code != exitCredentials || !strings.Contains(r.stderr, "quiltq login --from-quilt3") {
		t.Errorf("not logged in: exit %d, stderr %s; want the quilt3 import offered", r.code, r.stderr)
	}
	r = s.run("", map[string]string{"AWS_ENDPOINT_URL": env.Info.AWSEndpointURL}, "login", "--from-quilt3", "--insecure-storage")
	if r.code != exitOK || !strings.Contains(r.stdout, "assumed-role/ReadWriteQuiltV2-sales-prod/analyst") ||
		!strings.Contains(r.stderr, "wrote the new login to "+q3+"/auth.json, so quilt3 stays logged in") {
		t.Fatalf("--from-quilt3: exit %d, stdout %q, stderr %s", r.code, r.stdout, r.stderr)
	}
	r = s.run("", nil, "whoami")
	if r.code != exitOK || !strings.Contains(r.stdout, "credential source: file") {
		t.Errorf("whoami after the import: exit %d, stdout %q, stderr %s", r.code, r.stdout, r.stderr)
	}
	// quilt3 is still logged in: the login in its auth.json exchanges.
	q, err := config.ReadQuilt3(q3)
	if err != nil {
		t.Fatal(err)
	}
	ql, ok := q.Login(env.Info.RegistryURL)
	if !ok || ql.RefreshToken == token {
		t.Fatalf("quilt3's auth.json after the import: %v, want its refreshed login", ok)
	}
	if _, err := (&auth.Registry{URL: env.Info.RegistryURL}).Exchange(context.Background(), ql.RefreshToken); err != nil {
		t.Errorf("quilt3 was logged out by the import: %v", err)
	}
	l, err := config.LoadLogins(filepath.Join(home, ".config", "quiltq", "logins.json"))
	if err != nil || l.Profiles["default"].CatalogURL != env.Info.CatalogURL {
		t.Errorf("logins = %+v (err %v)", l, err)
	}
	s.noSecretsAnywhere(filepath.Join(home, ".config"), filepath.Join(home, ".config", "quiltq", "credentials.json"), []string{token})
}

func TestLoginUsage(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"login", "a", "b"}, "at most one catalog URL"},
		{[]string{"login", "--token-stdin", "--api-key"}, "give one of"},
		{[]string{"login"}, "which catalog?"},
		{[]string{"login", "--sandbox"}, "--sandbox logs in by itself"},
		{[]string{"logout", "x"}, "takes no arguments"},
		{[]string{"whoami", "x"}, "takes no arguments"},
		{[]string{"role", "a", "b"}, "at most one role"},
	}
	for _, tt := range tests {
		r := quiltq(t, context.Background(), nil, "", tt.args...)
		if r.code != exitUsage || !strings.Contains(r.stderr, tt.want) {
			t.Errorf("%v: exit %d, stderr %q; want %d and %q", tt.args, r.code, r.stderr, exitUsage, tt.want)
		}
	}
	r := quiltq(t, context.Background(), nil, "", "logout")
	if r.code != exitCredentials || !strings.Contains(r.stderr, "no stored login") {
		t.Errorf("logout with no login: exit %d, stderr %q", r.code, r.stderr)
	}
}

// An API key: `login --api-key` reads it from stdin, verifies it, stores
// it; every command then works with no environment variables, with no
// refresh (the stored secret never changes); whoami shows no expiry; the
// key never appears in an output; logout removes it. A revoked or unknown
// key is refused with "run `quiltq login`" and exit 4.
func TestLoginWithAPIKey(t *testing.T) {
	env := sandboxtest.Start(t, sandbox.Options{})
	key, ok := env.Registry().IssueAPIKey("analyst", 24*time.Hour)
	if !ok {
		t.Fatal("the sandbox issued no API key")
	}
	dir := t.TempDir()
	s := &runs{t: t, env: map[string]string{"XDG_CONFIG_HOME": dir, "XDG_RUNTIME_DIR": t.TempDir()}}
	store := &auth.FileStore{Path: filepath.Join(dir, "quiltq", "credentials.json")}

	r := s.run("not-a-key\n", map[string]string{"AWS_ENDPOINT_URL": env.Info.AWSEndpointURL}, "login", env.Info.CatalogURL, "--api-key", "--insecure-storage")
	if r.code != exitUsage || !strings.Contains(r.stderr, "qk_") {
		t.Errorf("a secret without qk_: exit %d, stderr %s", r.code, r.stderr)
	}
	r = s.run(key+"\n", map[string]string{"AWS_ENDPOINT_URL": env.Info.AWSEndpointURL}, "login", env.Info.CatalogURL, "--api-key", "--insecure-storage")
	if r.code != exitOK || !strings.Contains(r.stdout, "as analyst <analyst@example.com>") {
		t.Fatalf("login --api-key: exit %d, stdout %q, stderr %s", r.code, r.stdout, r.stderr)
	}
	stored, err := store.Load(context.Background(), env.Info.RegistryURL)
	if err != nil || stored.RefreshToken != key {
		t.Fatalf("the stored login is not the key: %v", err)
	}
	for range 2 {
		r = s.run("", nil, "-o", "csv", "-e", "SELECT 1 AS n")
		if r.code != exitOK || r.stdout != "\"n\"\n\"1\"\n" {
			t.Fatalf("query with the API key: exit %d, stdout %q, stderr %s", r.code, r.stdout, r.stderr)
		}
	}
	if again, _ := store.Load(context.Background(), env.Info.RegistryURL); again.RefreshToken != key {
		t.Error("using an API key changed the stored secret: keys are never refreshed")
	}
	r = s.run("", nil, "whoami", "--json")
	var id session.Identity
	if err := json.Unmarshal([]byte(r.stdout), &id); err != nil || r.code != exitOK {
		t.Fatalf("whoami --json: exit %d, %v in %q", r.code, err, r.stdout)
	}
	if id.User != "analyst" || id.TokenExpiresAt != nil || id.CredentialSource != "file" ||
		!strings.HasSuffix(id.PrincipalARN, ":assumed-role/ReadWriteQuiltV2-sales-prod/analyst") {
		t.Errorf("whoami with an API key = %+v", id)
	}

	// A key the registry does not know (revoked): exit 4, run `quiltq login`.
	if err := store.Save(context.Background(), env.Info.RegistryURL, auth.Tokens{RefreshToken: "qk_revoked", AccessToken: "qk_revoked"}); err != nil {
		t.Fatal(err)
	}
	r = s.run("", nil, "-e", "SELECT 1")
	if r.code != exitCredentials || !strings.Contains(r.stderr, "run `quiltq login`") {
		t.Errorf("a revoked key: exit %d, stderr %s", r.code, r.stderr)
	}
	r = s.run("", nil, "logout")
	if r.code != exitOK {
		t.Fatalf("logout: exit %d, stderr %s", r.code, r.stderr)
	}
	if _, err := store.Load(context.Background(), env.Info.RegistryURL); !errors.Is(err, auth.ErrNotStored) {
		t.Errorf("after logout the file still answers %v", err)
	}
	s.noSecretsAnywhere(dir, store.Path, []string{key})
}

// In a real terminal, `quiltq login` asks for the code without echoing
// it, then logs in: the code never appears on the screen.
func TestLoginReadsTheCodeWithoutEcho(t *testing.T) {
	needTmux(t)
	env := sandboxtest.Start(t, sandbox.Options{})
	bin := buildQuiltq(t, "")
	dir := t.TempDir()
	code := loginCode(t, env, "analyst")
	// No DISPLAY: no browser is opened, the /code URL is printed instead.
	script := "env -i PATH=/usr/bin:/bin HOME=" + dir + " XDG_CONFIG_HOME=" + dir + "/config TERM=xterm-256color AWS_ENDPOINT_URL=" + env.Info.AWSEndpointURL +
		" " + bin + " login " + env.Info.CatalogURL + " --insecure-storage; echo exit=$?"
	tt := startTerm(t, script)
	tt.waitFor("Open "+env.Info.CatalogURL+"/code in a browser", "Code:")
	tt.text(code)
	tt.keys("Enter")
	screen := tt.waitFor("as analyst <analyst@example.com>", "exit=0")
	if strings.Contains(screen, code) {
		t.Errorf("the code was echoed on the terminal:\n%s", screen)
	}
	if _, err := os.Stat(filepath.Join(dir, "config", "quiltq", "credentials.json")); err != nil {
		t.Errorf("no stored login after logging in: %v", err)
	}
}

// With a display, login opens the registry's login page in the browser
// (xdg-open), passing only that URL: never a secret in process arguments.
func TestLoginOpensTheBrowser(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("xdg-open is the Linux path")
	}
	bin := t.TempDir()
	got := filepath.Join(bin, "args")
	script := "#!/bin/sh\nprintf '%s\\n' \"$@\" > " + got + "\n"
	if err := os.WriteFile(filepath.Join(bin, "xdg-open"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	a := newApp(&globalFlags{}, streams{Err: io.Discard}, func(k string) string {
		return map[string]string{"DISPLAY": ":99"}[k]
	})
	if !a.openBrowser("https://registry.example.com/login") {
		t.Fatal("openBrowser found no xdg-open")
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		b, err := os.ReadFile(got)
		if err == nil && len(b) > 0 {
			if string(b) != "https://registry.example.com/login\n" {
				t.Errorf("xdg-open got %q, want only the login URL", b)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("xdg-open never ran")
		}
		time.Sleep(20 * time.Millisecond)
	}
	// Without a display there is no browser to open.
	noDisplay := newApp(&globalFlags{}, streams{Err: io.Discard}, func(string) string { return "" })
	if noDisplay.openBrowser("https://registry.example.com/login") {
		t.Error("openBrowser claimed a browser without DISPLAY or WAYLAND_DISPLAY")
	}
}

// login saves nothing it has not verified: when STS refuses the AWS
// credentials the registry issued (here AWS_ENDPOINT_URL points at another
// stack, which never issued them), the login fails, nothing is stored or
// recorded, and nothing warns of plain-text storage, since nothing was
// kept in plain text.
func TestLoginVerifiesBeforeSaving(t *testing.T) {
	env := sandboxtest.Start(t, sandbox.Options{})
	other := sandboxtest.Start(t, sandbox.Options{})
	dir := t.TempDir()
	s := &runs{t: t, env: map[string]string{"XDG_CONFIG_HOME": dir, "XDG_RUNTIME_DIR": t.TempDir(), "AWS_ENDPOINT_URL": other.Info.AWSEndpointURL}}
	code := loginCode(t, env, "analyst")
	r := s.run(code, nil, "login", env.Info.CatalogURL, "--token-stdin", "--insecure-storage")
	if r.code == exitOK {
		t.Fatalf("login with credentials STS refuses: exit 0, stdout %s", r.stdout)
	}
	if !strings.Contains(r.stderr, "STS") || !strings.Contains(r.stderr, "nothing was saved") {
		t.Errorf("stderr does not say the credentials could not be verified and nothing was saved: %s", r.stderr)
	}
	if strings.Contains(r.stderr, "plain text") {
		t.Errorf("a login that saved nothing warned of plain-text storage: %s", r.stderr)
	}
	for _, f := range []string{"logins.json", "credentials.json"} {
		if _, err := os.Stat(filepath.Join(dir, "quiltq", f)); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("a login that failed to verify wrote %s (%v)", f, err)
		}
	}
	// A refused code does not warn either.
	r = s.run("not-a-code", nil, "login", env.Info.CatalogURL, "--token-stdin", "--insecure-storage")
	if r.code != exitCredentials || strings.Contains(r.stderr, "plain text") {
		t.Errorf("refused code: exit %d, stderr %s", r.code, r.stderr)
	}
	s.noSecretsAnywhere(dir, "", []string{code})
}

// "Not logged in" says what to do, and never that the credentials were
// refused: there were none.
func TestNotLoggedInIsNotRefused(t *testing.T) {
	for _, args := range [][]string{
		{"-e", "SELECT 1"},
		{"ls"},
		{"whoami"},
		{"doctor"},
		{"explain", "--sql", "SELECT 1"},
	} {
		r := quiltq(t, context.Background(), nil, "", args...)
		if r.code != exitCredentials || !strings.Contains(r.stderr, "not logged in") {
			t.Errorf("%v: exit %d, stderr %s", args, r.code, r.stderr)
		}
		if strings.Contains(r.stderr, "refused") {
			t.Errorf("%v: a missing login is called refused:\n%s", args, r.stderr)
		}
	}
}

// login against an AWS endpoint it cannot reach (nothing listens on the
// port: every call is refused until the retry budget is spent) saves
// nothing, in the keyring or the file, records no login, says that
// nothing was saved and why, and does not warn of plain-text storage
// (issue 17, item 12).
func TestLoginUnreachableAWSSavesNothing(t *testing.T) {
	env := sandboxtest.Start(t, sandbox.Options{})
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	unreachable := "http://" + l.Addr().String()
	l.Close()
	for _, storage := range []string{"file", "keyring"} {
		t.Run(storage, func(t *testing.T) {
			dir := t.TempDir()
			s := &runs{t: t, env: map[string]string{"XDG_CONFIG_HOME": dir, "XDG_RUNTIME_DIR": t.TempDir(), "AWS_ENDPOINT_URL": unreachable}}
			args := []string{"login", env.Info.CatalogURL, "--token-stdin"}
			var store auth.SecretStore = &auth.FileStore{Path: filepath.Join(dir, "quiltq", "credentials.json")}
			if storage == "keyring" {
				for k, v := range keyringEnv(t) {
					s.env[k] = v
				}
				store = &auth.Keyring{Timeout: 10 * time.Second}
				t.Cleanup(func() { _ = store.Delete(context.Background(), env.Info.RegistryURL) })
			} else {
				args = append(args, "--insecure-storage")
			}
			code := loginCode(t, env, "analyst")
			r := s.run(code, nil, args...)
			if r.code == exitOK || r.stdout != "" {
				t.Fatalf("login with AWS unreachable: exit %d, stdout %q", r.code, r.stdout)
			}
			if !strings.Contains(r.stderr, "nothing was saved") || !strings.Contains(r.stderr, l.Addr().String()) {
				t.Errorf("stderr does not say nothing was saved and which endpoint failed: %s", r.stderr)
			}
			if strings.Contains(r.stderr, "plain text") {
				t.Errorf("a login that saved nothing warned of plain-text storage: %s", r.stderr)
			}
			if _, err := store.Load(context.Background(), env.Info.RegistryURL); !errors.Is(err, auth.ErrNotStored) {
				t.Errorf("the %s holds a login after a login that could not be verified (%v)", storage, err)
			}
			for _, f := range []string{"logins.json", "credentials.json"} {
				if _, err := os.Stat(filepath.Join(dir, "quiltq", f)); !errors.Is(err, fs.ErrNotExist) {
					t.Errorf("a login that could not be verified wrote %s (%v)", f, err)
				}
			}
			s.noSecretsAnywhere(dir, "", []string{code})
		})
	}
}
