package auth

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"time"

	"github.com/zalando/go-keyring"

	"github.com/quiltq/quiltq/engine"
)

// KeyringService is the service name quiltq's secrets are stored under;
// the registry URL is the item's user name.
const KeyringService = "quiltq"

// DefaultKeyringTimeout bounds each keyring call when no unlock prompt is
// expected: a healthy Secret Service answers in milliseconds, one that
// hangs (a locked collection with no prompter, a wedged daemon) never
// does, and a command must not wait for it forever.
const DefaultKeyringTimeout = 3 * time.Second

// PromptKeyringTimeout bounds each keyring call when the keyring may ask
// the user to unlock it in a dialog, which takes a person some time.
const PromptKeyringTimeout = 60 * time.Second

// ErrNoKeyring is the error of a keyring that cannot be used at all: no
// session bus, no Secret Service, or a keyring that did not answer in
// time.
var ErrNoKeyring = errors.New("no usable keyring")

// keyringBackend is the part of go-keyring quiltq calls.
type keyringBackend interface {
	Get(service, user string) (string, error)
	Set(service, user, password string) error
	Delete(service, user string) error
}

// goKeyring is the OS keyring through go-keyring.
type goKeyring struct{}

func (goKeyring) Get(service, user string) (string, error) { return keyring.Get(service, user) }
func (goKeyring) Set(service, user, pw string) error       { return keyring.Set(service, user, pw) }
func (goKeyring) Delete(service, user string) error        { return keyring.Delete(service, user) }

// Keyring is the SecretStore of the OS keyring: the Secret Service over
// D-Bus on Linux and the BSDs, the Keychain on macOS, the Credential
// Manager on Windows. Each login is one secret, the JSON of its refresh
// token, access token and expiry, under service "quiltq" with the
// registry URL as its user name.
//
// Every call is time-boxed: a call that has not answered after Timeout
// fails with ErrNoKeyring and is abandoned (go-keyring's calls cannot be
// interrupted; the abandoned goroutine ends with the process). On Linux
// and the BSDs, when there is no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS
// unset and no /run/user/<uid>/bus), no D-Bus call is made at all: the
// D-Bus library would otherwise try to start a bus with dbus-launch.
type Keyring struct {
	// Timeout bounds each call (DefaultKeyringTimeout when zero).
	Timeout time.Duration
	// Getenv reads the environment (os.Getenv when nil).
	Getenv func(string) string

	backend    keyringBackend // go-keyring when nil
	runtimeDir string         // /run/user/<uid> when empty
	goos       string         // runtime.GOOS when empty
}

var _ SecretStore = (*Keyring)(nil)

// Name is SourceKeyring.
func (k *Keyring) Name() string { return SourceKeyring }

// Where names the keyring entry's service.
func (k *Keyring) Where() string { return "the OS keyring (service " + KeyringService + ")" }

// Load reads the login of registryURL.
func (k *Keyring) Load(ctx context.Context, registryURL string) (Tokens, error) {
	const op = "read the Quilt login from the keyring"
	var secret string
	err := k.call(ctx, op, func(b keyringBackend) (err error) {
		secret, err = b.Get(KeyringService, registryURL)
		return err
	})
	if err != nil {
		return Tokens{}, err
	}
	t, err := unmarshalTokens(secret)
	if err != nil {
		return Tokens{}, &engine.Error{Op: op, Kind: engine.Credentials, Err: err}
	}
	return t, nil
}

// Save stores t as the login of registryURL.
func (k *Keyring) Save(ctx context.Context, registryURL string, t Tokens) error {
	const op = "save the Quilt login in the keyring"
	secret, err := marshalTokens(t)
	if err != nil {
		return &engine.Error{Op: op, Kind: engine.Invalid, Err: err}
	}
	return k.call(ctx, op, func(b keyringBackend) error { return b.Set(KeyringService, registryURL, secret) })
}

// CanSave asks the keyring for registryURL's login, as Load does, to find
// out whether it answers; a keyring that does not is a failure to save.
func (k *Keyring) CanSave(ctx context.Context, registryURL string) error {
	err := k.call(ctx, "save the Quilt login in the keyring", func(b keyringBackend) error {
		_, err := b.Get(KeyringService, registryURL)
		return err
	})
	if errors.Is(err, ErrNotStored) {
		return nil
	}
	return err
}

// Delete removes the login of registryURL.
func (k *Keyring) Delete(ctx context.Context, registryURL string) error {
	_, err := k.remove(ctx, registryURL)
	return err
}

// remove removes the login of registryURL and reports whether there was
// one.
func (k *Keyring) remove(ctx context.Context, registryURL string) (bool, error) {
	err := k.call(ctx, "remove the Quilt login from the keyring", func(b keyringBackend) error {
		return b.Delete(KeyringService, registryURL)
	})
	if errors.Is(err, ErrNotStored) {
		return false, nil
	}
	return err == nil, err
}

// call runs f against the backend, time-boxed, after checking that
// there is a keyring to talk to.
func (k *Keyring) call(ctx context.Context, op string, f func(keyringBackend) error) error {
	if err := k.check(); err != nil {
		return &engine.Error{Op: op, Kind: engine.Credentials, Err: err}
	}
	b := k.backend
	if b == nil {
		b = goKeyring{}
	}
	timeout := k.Timeout
	if timeout <= 0 {
		timeout = DefaultKeyringTimeout
	}
	done := make(chan error, 1) // buffered: an abandoned call must not block
	go func() { done <- f(b) }()
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	select {
	case err := <-done:
		switch {
		case err == nil:
			return nil
		case errors.Is(err, keyring.ErrNotFound):
			return &engine.Error{Op: op, Kind: engine.Credentials, Err: ErrNotStored}
		case errors.Is(err, keyring.ErrSetDataTooBig):
			return &engine.Error{Op: op, Kind: engine.Invalid, Err: fmt.Errorf("the login is too big for this keyring")}
		}
		// D-Bus errors name the service and the method, never the secret.
		return &engine.Error{Op: op, Kind: engine.Credentials, Err: fmt.Errorf("%w: %v; %s", ErrNoKeyring, err, keyringAdvice)}
	case <-timer.C:
		return &engine.Error{Op: op, Kind: engine.Credentials, Err: fmt.Errorf(
			"%w: the keyring did not answer within %s (is it locked, with no way to ask for its password?); raise keyring_timeout, unlock the keyring, or %s",
			ErrNoKeyring, timeout, keyringFallbacks)}
	case <-ctx.Done():
		return &engine.Error{Op: op, Kind: engine.Canceled, Err: ctx.Err()}
	}
}

const (
	keyringFallbacks = "set QUILTQ_TOKEN for this run, or log in with --insecure-storage to keep the login in a plain file"
	keyringAdvice    = "start a keyring daemon (such as gnome-keyring) in your session, or " + keyringFallbacks
)

// check fails fast when the keyring cannot be reached without starting
// something: on Linux and the BSDs, a session bus must be there.
func (k *Keyring) check() error {
	goos := k.goos
	if goos == "" {
		goos = runtime.GOOS
	}
	if goos == "darwin" || goos == "windows" {
		return nil
	}
	getenv := k.Getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	if a := getenv("DBUS_SESSION_BUS_ADDRESS"); a != "" && a != "autolaunch:" {
		return nil
	}
	// The D-Bus library looks for /run/user/<uid>/bus. A session whose
	// XDG_RUNTIME_DIR is elsewhere is not that one: count no bus there.
	dir := k.runtimeDir
	if dir == "" {
		dir = "/run/user/" + strconv.Itoa(os.Getuid())
	}
	if rd := getenv("XDG_RUNTIME_DIR"); rd == "" || filepath.Clean(rd) == dir {
		for _, name := range []string{"bus", "dbus-session"} {
			if _, err := os.Stat(filepath.Join(dir, name)); err == nil {
				return nil
			}
		}
	}
	return fmt.Errorf("%w: there is no D-Bus session bus to reach a Secret Service (DBUS_SESSION_BUS_ADDRESS is not set and %s does not exist); %s",
		ErrNoKeyring, filepath.Join(dir, "bus"), keyringAdvice)
}

// KeyringTimeout is the time-box of keyring calls: base (the
// keyring_timeout setting; DefaultKeyringTimeout when zero), raised to
// PromptKeyringTimeout when the keyring may show an unlock dialog, that
// is, when a person is at a terminal and there is a desktop to show it
// on.
func KeyringTimeout(base time.Duration, interactive bool, getenv func(string) string) time.Duration {
	if base <= 0 {
		base = DefaultKeyringTimeout
	}
	desktop := runtime.GOOS == "darwin" || runtime.GOOS == "windows" || getenv("DISPLAY") != "" || getenv("WAYLAND_DISPLAY") != ""
	if interactive && desktop && base < PromptKeyringTimeout {
		return PromptKeyringTimeout
	}
	return base
}
