package auth

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/quiltq/quiltq/engine"
)

// refusingBackend fails the test if any keyring call is made.
type refusingBackend struct{ t *testing.T }

func (b refusingBackend) Get(string, string) (string, error) {
	b.t.Error("a keyring call was made")
	return "", nil
}
func (b refusingBackend) Set(string, string, string) error {
	b.t.Error("a keyring call was made")
	return nil
}
func (b refusingBackend) Delete(string, string) error {
	b.t.Error("a keyring call was made")
	return nil
}

// noBus is a Keyring on Linux with no session bus anywhere.
func noBus(t *testing.T) *Keyring {
	return &Keyring{
		Getenv:     func(string) string { return "" },
		runtimeDir: t.TempDir(),
		goos:       "linux",
		backend:    refusingBackend{t},
	}
}

func TestKeyringNoSessionBus(t *testing.T) {
	k := noBus(t)
	ctx := context.Background()
	_, err := k.Load(ctx, "https://registry.example.com")
	wantKind(t, err, engine.Credentials, []string{"no D-Bus session bus", "DBUS_SESSION_BUS_ADDRESS", "QUILTQ_TOKEN", "--insecure-storage"})
	if !errors.Is(err, ErrNoKeyring) {
		t.Errorf("error %v is not ErrNoKeyring", err)
	}
	secret := "refresh-secret-123"
	err = k.Save(ctx, "https://registry.example.com", Tokens{RefreshToken: secret})
	wantKind(t, err, engine.Credentials, []string{"no D-Bus session bus"}, secret)
	err = k.Delete(ctx, "https://registry.example.com")
	wantKind(t, err, engine.Credentials, []string{"no D-Bus session bus"})

	// "autolaunch:" would make the D-Bus library start a bus: no bus either.
	k.Getenv = func(v string) string {
		if v == "DBUS_SESSION_BUS_ADDRESS" {
			return "autolaunch:"
		}
		return ""
	}
	_, err = k.Load(ctx, "https://registry.example.com")
	wantKind(t, err, engine.Credentials, []string{"no D-Bus session bus"})

	// A bus socket at the default place counts, unless XDG_RUNTIME_DIR says
	// the session is elsewhere.
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "bus"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	k = &Keyring{Getenv: func(string) string { return "" }, runtimeDir: dir, goos: "linux"}
	if err := k.check(); err != nil {
		t.Errorf("check with %s/bus present: %v", dir, err)
	}
	k.Getenv = func(v string) string {
		if v == "XDG_RUNTIME_DIR" {
			return "/elsewhere"
		}
		return ""
	}
	if err := k.check(); err == nil {
		t.Errorf("check found a bus although XDG_RUNTIME_DIR is elsewhere")
	}
	// macOS and Windows have no D-Bus to check.
	if err := (&Keyring{Getenv: func(string) string { return "" }, goos: "darwin"}).check(); err != nil {
		t.Errorf("check on darwin: %v", err)
	}
}

// BenchmarkKeyringNoBus measures how fast quiltq says there is no keyring
// when there is no session bus.
func BenchmarkKeyringNoBus(b *testing.B) {
	k := &Keyring{Getenv: func(string) string { return "" }, runtimeDir: b.TempDir(), goos: "linux"}
	for b.Loop() {
		if _, err := k.Load(context.Background(), "https://registry.example.com"); !errors.Is(err, ErrNoKeyring) {
			b.Fatalf("Load = %v, want ErrNoKeyring", err)
		}
	}
}

// stuckBackend never answers until released.
type stuckBackend struct{ release chan struct{} }

func (b stuckBackend) Get(string, string) (string, error) { <-b.release; return "", nil }
func (b stuckBackend) Set(string, string, string) error   { <-b.release; return nil }
func (b stuckBackend) Delete(string, string) error        { <-b.release; return nil }

func TestKeyringTimeBoxesEachCall(t *testing.T) {
	stuck := stuckBackend{release: make(chan struct{})}
	t.Cleanup(func() { close(stuck.release) })
	k := &Keyring{Timeout: 20 * time.Millisecond, Getenv: func(string) string { return "unix:path=/nowhere" }, goos: "linux", backend: stuck}
	_, err := k.Load(context.Background(), "https://r")
	wantKind(t, err, engine.Credentials, []string{"did not answer within 20ms", "keyring_timeout", "--insecure-storage"})
	if !errors.Is(err, ErrNoKeyring) {
		t.Errorf("error %v is not ErrNoKeyring", err)
	}
	// A cancelled context ends the wait too.
	k.Timeout = time.Hour
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err = k.Save(ctx, "https://r", Tokens{RefreshToken: "s3cret-refresh"})
	wantKind(t, err, engine.Canceled, nil, "s3cret-refresh")
}

func TestKeyringTimeout(t *testing.T) {
	env := func(vars ...string) func(string) string {
		return func(k string) string {
			for i := 0; i < len(vars); i += 2 {
				if vars[i] == k {
					return vars[i+1]
				}
			}
			return ""
		}
	}
	if got := KeyringTimeout(0, false, env()); got != DefaultKeyringTimeout {
		t.Errorf("default: got %v, want %v", got, DefaultKeyringTimeout)
	}
	if got := KeyringTimeout(7*time.Second, false, env("DISPLAY", ":0")); got != 7*time.Second {
		t.Errorf("not interactive: got %v, want 7s", got)
	}
	if got := KeyringTimeout(7*time.Second, true, env("DISPLAY", ":0")); got != PromptKeyringTimeout {
		t.Errorf("interactive with a display: got %v, want %v", got, PromptKeyringTimeout)
	}
}

// TestKeyringSecretServiceNeverAnswers points the real go-keyring at a
// D-Bus address whose listener accepts connections and never says a
// word, as a wedged daemon does. It runs in a child process because the
// D-Bus library keeps one session connection per process, and the
// abandoned, stuck one would be the connection of every later test.
func TestKeyringSecretServiceNeverAnswers(t *testing.T) {
	if os.Getenv("QUILTQ_TEST_SILENT_BUS_CHILD") != "" {
		silentBusChild(t)
		return
	}
	sock := filepath.Join(t.TempDir(), "bus")
	ln, err := net.Listen("unix", sock)
	if err != nil {
		t.Skipf("no unix sockets here: %v", err)
	}
	var (
		mu    sync.Mutex
		conns []net.Conn
	)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c) // held open, never answered
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	// The guard only stops a hang from stalling the run; it is no
	// assertion about speed.
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestKeyringSecretServiceNeverAnswers$", "-test.v")
	cmd.Env = append(os.Environ(), "QUILTQ_TEST_SILENT_BUS_CHILD=1", "DBUS_SESSION_BUS_ADDRESS=unix:path="+sock)
	out, err := cmd.CombinedOutput()
	if ctx.Err() != nil {
		t.Fatalf("the keyring call hung past the guard:\n%s", out)
	}
	if err != nil {
		t.Fatalf("child: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "timed out as expected") {
		t.Errorf("child output lacks its verdict:\n%s", out)
	}
	mu.Lock()
	n := len(conns)
	mu.Unlock()
	if n == 0 {
		t.Error("the keyring never connected to the silent bus: the test proved nothing")
	}
	for _, line := range strings.Split(string(out), "\n") {
		if strings.Contains(line, "timed out as expected") {
			t.Log(strings.TrimSpace(line))
		}
	}
}

func silentBusChild(t *testing.T) {
	k := &Keyring{Timeout: 300 * time.Millisecond}
	start := time.Now()
	_, err := k.Load(context.Background(), "https://registry.example.com")
	wantKind(t, err, engine.Credentials, []string{"did not answer within 300ms"})
	if !errors.Is(err, ErrNoKeyring) {
		t.Fatalf("Load = %v, want ErrNoKeyring", err)
	}
	// The next call is time-boxed as well, although the first still hangs.
	err = k.Save(context.Background(), "https://registry.example.com", Tokens{RefreshToken: "s3cret"})
	wantKind(t, err, engine.Credentials, []string{"did not answer"}, "s3cret")
	t.Logf("timed out as expected: two calls returned after %v with a 300ms time-box", time.Since(start).Round(time.Millisecond))
}

// secretService returns a Keyring on the session's real Secret Service,
// or skips the test when there is none (fails with QUILTQ_REQUIRE_TOOLS=1).
func secretService(t *testing.T) *Keyring {
	t.Helper()
	k := &Keyring{Timeout: 10 * time.Second}
	_, err := k.Load(context.Background(), "https://quiltq-probe.invalid")
	if err == nil || errors.Is(err, ErrNotStored) {
		return k
	}
	msg := "no Secret Service (run under dbus-run-session with gnome-keyring-daemon unlocked, as .ci/run does): " + err.Error()
	if os.Getenv("QUILTQ_REQUIRE_TOOLS") == "1" {
		t.Fatal(msg)
	}
	t.Skip(msg)
	return nil
}

func randomKey(t *testing.T) string {
	b := make([]byte, 8)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return "https://quiltq-test-" + hex.EncodeToString(b) + ".invalid/registry"
}

func TestKeyringRoundTrip(t *testing.T) {
	k := secretService(t)
	ctx := context.Background()
	key, other := randomKey(t), randomKey(t)
	t.Cleanup(func() { _ = k.Delete(ctx, key); _ = k.Delete(ctx, other) })

	if _, err := k.Load(ctx, key); !errors.Is(err, ErrNotStored) {
		t.Fatalf("Load of nothing = %v, want ErrNotStored", err)
	}
	exp := time.Unix(1900000000, 250_000_000)
	first := Tokens{RefreshToken: "r1", AccessToken: "a1", ExpiresAt: exp}
	if err := k.Save(ctx, key, first); err != nil {
		t.Fatalf("Save: %v", err)
	}
	if err := k.Save(ctx, other, Tokens{RefreshToken: "qk_other"}); err != nil {
		t.Fatalf("Save other: %v", err)
	}
	got, err := k.Load(ctx, key)
	if err != nil || got.RefreshToken != "r1" || got.AccessToken != "a1" || !got.ExpiresAt.Equal(exp) {
		t.Fatalf("Load = %v (err %v), want the tokens saved", got.ExpiresAt, err)
	}
	// Saving again replaces, never duplicates.
	if err := k.Save(ctx, key, Tokens{RefreshToken: "r2", AccessToken: "a2", ExpiresAt: exp.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if got, _ := k.Load(ctx, key); got.RefreshToken != "r2" {
		t.Errorf("after a second Save, refresh token is not the new one")
	}
	if got, err := k.Load(ctx, other); err != nil || got.RefreshToken != "qk_other" || !got.ExpiresAt.IsZero() {
		t.Errorf("the other registry's login: err %v, zero expiry %v", err, got.ExpiresAt.IsZero())
	}
	if err := k.Delete(ctx, key); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	if _, err := k.Load(ctx, key); !errors.Is(err, ErrNotStored) {
		t.Errorf("Load after Delete = %v, want ErrNotStored", err)
	}
	if err := k.Delete(ctx, key); err != nil {
		t.Errorf("deleting nothing: %v", err)
	}
	if _, err := k.Load(ctx, other); err != nil {
		t.Errorf("deleting one login removed another: %v", err)
	}
}
