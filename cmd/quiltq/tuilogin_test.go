package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"github.com/quiltq/quiltq/config"
	"github.com/quiltq/quiltq/engine"
	"github.com/quiltq/quiltq/engine/sandbox"
	"github.com/quiltq/quiltq/engine/sandbox/sandboxtest"
	"github.com/quiltq/quiltq/ui"
	"github.com/quiltq/quiltq/ui/workbench"
)

// rendered wraps a model that can render itself, so that a test reads the
// screen after each update.
type rendered struct {
	m interface {
		tea.Model
		Render() string
	}
	last *atomic.Pointer[string]
}

func (r rendered) Init() tea.Cmd { return r.m.Init() }

func (r rendered) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	m, cmd := r.m.Update(msg)
	r.m = m.(interface {
		tea.Model
		Render() string
	})
	text := ansi.Strip(r.m.Render())
	r.last.Store(&text)
	return r, cmd
}

func (r rendered) View() tea.View { return r.m.View() }

func waitScreen(t *testing.T, last *atomic.Pointer[string], want ...string) string {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		s := ""
		if p := last.Load(); p != nil {
			s = *p
		}
		ok := true
		for _, x := range want {
			ok = ok && strings.Contains(s, x)
		}
		if ok {
			return s
		}
		if time.Now().After(deadline) {
			t.Fatalf("the screen never showed %q; it shows:\n%s", want, s)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Not logged in, `quiltq` opens on the login screen, with the catalog
// from the config: a code from the catalog's /code page (never shown) logs
// in as `quiltq login` does (here into the plain file, chosen on the
// screen), then the workbench opens on that login.
func TestWorkbenchOffersLogin(t *testing.T) {
	env := sandboxtest.Start(t, sandbox.Options{})
	cfgDir := t.TempDir()
	vars := map[string]string{
		"QUILTQ_CATALOG_URL": env.Info.CatalogURL,
		"AWS_ENDPOINT_URL":   env.Info.AWSEndpointURL,
		"XDG_CONFIG_HOME":    cfgDir,
		"XDG_CACHE_HOME":     t.TempDir(),
		"XDG_RUNTIME_DIR":    t.TempDir(),
	}
	// Written by the login's retries on their own goroutines while the
	// test reads it.
	var stderr syncBuffer
	g := &globalFlags{fetch: "auto", sandboxUser: "analyst"}
	a := newApp(g, streams{Out: io.Discard, Err: &stderr, InTTY: true, OutTTY: true}, func(k string) string { return vars[k] })
	t.Cleanup(a.close)
	ctx := context.Background()
	wb := benchOf(t, a)
	m, err := wb.Open(ctx)
	gate, ok := m.(ui.Gate)
	if err != nil || !ok {
		t.Fatalf("without a login, the workbench opened as %T (%v); want the login screen in front of it", m, err)
	}
	last := &atomic.Pointer[string]{}
	tm := teatest.NewTestModel(t, rendered{m: gate, last: last}, teatest.WithInitialTermSize(120, 35))
	t.Cleanup(func() { tm.Quit() })
	first := waitScreen(t, last, "Log in to Quilt", env.Info.CatalogURL+"/code", "no usable Quilt login", "the OS keyring")

	// The plain file, chosen on the screen (this machine may have no
	// keyring: TestLoginFlowKeyring covers it).
	tm.Send(tea.KeyPressMsg{Code: 't', Mod: tea.ModCtrl})
	waitScreen(t, last, "a plain 0600 file in the config dir")

	// A wrong code is refused, and the screen stays.
	tm.Type("not-a-real-code")
	if s := waitScreen(t, last, "Code:"); strings.Contains(s, "not-a-real-code") {
		t.Fatalf("the code is shown as it is typed:\n%s", s)
	}
	tm.Send(tea.KeyPressMsg{Code: tea.KeyEnter})
	waitScreen(t, last, "the registry refused the code", "(a code works once)")

	code := loginCode(t, env, "analyst")
	tm.Type(code)
	tm.Send(tea.KeyPressMsg{Code: tea.KeyEnter})
	screen := waitScreen(t, last, "Catalog", "Query", "analyst", "role ReadWriteQuiltV2-sales-prod", "wg QuiltUserAthena")
	if strings.Contains(first+screen, code) {
		t.Error("the code reached the screen")
	}
	if wb.Engine() == nil {
		t.Error("the workbench's engine was not kept for stopping its queries at the end")
	}

	// The login is where `quiltq login --insecure-storage` puts it.
	cred := filepath.Join(cfgDir, "quiltq", "credentials.json")
	fi, err := os.Stat(cred)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("credentials file: %v (mode %v), want 0600", err, fi)
	}
	l, err := config.LoadLogins(filepath.Join(cfgDir, "quiltq", "logins.json"))
	if rec := l.Profiles["default"]; err != nil || rec.CatalogURL != env.Info.CatalogURL || rec.Storage != "file" || rec.AWSEndpointURL != env.Info.AWSEndpointURL {
		t.Fatalf("logins = %+v (%v)", l, err)
	}
	// And later commands use it with no token in the environment.
	r := quiltq(t, ctx, map[string]string{"XDG_CONFIG_HOME": cfgDir, "XDG_RUNTIME_DIR": vars["XDG_RUNTIME_DIR"]}, "", "whoami")
	if r.code != exitOK || !strings.Contains(r.stdout, "assumed-role/ReadWriteQuiltV2-sales-prod/analyst") {
		t.Errorf("whoami after the TUI's login: exit %d, %s %s", r.code, r.stdout, r.stderr)
	}
	data, _ := os.ReadFile(filepath.Join(cfgDir, "quiltq", "logins.json"))
	if strings.Contains(string(data)+stderr.String(), code) {
		t.Error("the code is in the logins file or on stderr")
	}
}

func writeTUIConfig(t *testing.T, text string) (dir, path string) {
	t.Helper()
	dir = t.TempDir()
	path = filepath.Join(dir, "quiltq", "config.toml")
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return dir, path
}

// A bad [keys] entry stops `quiltq` before it connects, naming the file,
// the line and what is wrong (exit 2).
func TestWorkbenchKeysConfigErrors(t *testing.T) {
	for _, tt := range []struct{ keys, want string }{
		{`"global.rnu" = ["f9"]`, `[keys] "global.rnu": no such binding`},
		{`"global.run" = ["ctlr+r"]`, `[keys] "global.run": key "ctlr+r": "ctlr" is not a modifier`},
		{`"editor.copy_cell" = ["y"]`, `did you mean "results.copy_cell"`},
	} {
		dir, path := writeTUIConfig(t, "theme = \"light\"\n\n[keys]\n"+tt.keys+"\n")
		var out, errb bytes.Buffer
		st := streams{In: strings.NewReader(""), Out: &out, Err: &errb, InTTY: true, OutTTY: true}
		code := run(context.Background(), nil, st, func(k string) string { return map[string]string{"XDG_CONFIG_HOME": dir}[k] })
		if code != exitUsage || !strings.Contains(errb.String(), path+":4: ") || !strings.Contains(errb.String(), tt.want) {
			t.Errorf("%s: exit %d, stderr %q; want %d, %s:4 and %q", tt.keys, code, errb.String(), exitUsage, path, tt.want)
		}
	}
}

// lookOf is the workbench's look as runTUI builds it for a.
func lookOf(t *testing.T, a *app) workbench.Look {
	t.Helper()
	s, err := a.loadSettings()
	if err != nil {
		t.Fatal(err)
	}
	look, err := a.look(s)
	if err != nil {
		t.Fatal(err)
	}
	return look
}

// benchOf is the workbench runTUI opens for a: its look, and the
// session's options from the settings and flags.
func benchOf(t *testing.T, a *app) *workbench.Workbench {
	t.Helper()
	look := lookOf(t, a)
	opts, err := a.options()
	if err != nil {
		t.Fatal(err)
	}
	return workbench.New(opts, look)
}

// NO_COLOR and --mouse reach the workbench's look, over the config's
// theme and mouse (ui/workbench's TestLookOf tests the config's part).
func TestWorkbenchLookFromFlagsAndEnv(t *testing.T) {
	dir, _ := writeTUIConfig(t, "theme = \"light\"\n")
	env := map[string]string{"XDG_CONFIG_HOME": dir}
	for _, tt := range []struct {
		mouse                  bool
		noColor                string
		wantMouse, wantNoColor bool
	}{
		{false, "", false, false},
		{true, "1", true, true},
	} {
		env["NO_COLOR"] = tt.noColor
		look := lookOf(t, newApp(&globalFlags{mouse: tt.mouse}, streams{Out: io.Discard, Err: io.Discard}, func(k string) string { return env[k] }))
		if look.Theme.NoColor != tt.wantNoColor || look.Mouse != tt.wantMouse {
			t.Errorf("NO_COLOR=%q --mouse=%v: no colour %v, mouse %v; want %v, %v", tt.noColor, tt.mouse, look.Theme.NoColor, look.Mouse, tt.wantNoColor, tt.wantMouse)
		}
	}
}

// stallingProxy forwards to the sandbox's AWS endpoint, except the calls
// stall says (stallAll, stallButSTS): those are held unanswered until
// their client gives up (an endpoint that accepts and never answers).
// held receives once per held call, released when its client went away.
type stallingProxy struct {
	stall    atomic.Int32
	held     chan struct{}
	released chan struct{}
	stop     chan struct{} // closed at the end of the test
	next     http.Handler
}

func (p *stallingProxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	sts := strings.Contains(r.Header.Get("Authorization"), "/sts/aws4_request")
	if mode := p.stall.Load(); mode == stallAll || mode == stallButSTS && !sts {
		// The body read, the server watches the connection: its close
		// (the client giving up) ends r's context.
		_, _ = io.Copy(io.Discard, r.Body)
		p.held <- struct{}{}
		select {
		case <-r.Context().Done():
			p.released <- struct{}{}
		case <-p.stop:
		}
		return
	}
	p.next.ServeHTTP(w, r)
}

const (
	stallNone int32 = iota
	stallAll
	stallButSTS
)

// On the login screen, with AWS accepting calls and never answering them,
// every wait says what it waits for and esc cancels it: the login's check
// (nothing saved, the screen back with a clear message), then, logged in,
// the opening of the workbench (its call to AWS let go, not left hanging);
// enter opens the workbench once AWS answers (issue 17, item 13: the
// screen said "opening the workbench…" for over a minute and esc did
// nothing).
func TestWorkbenchLoginWaitsCancel(t *testing.T) {
	env := sandboxtest.Start(t, sandbox.Options{})
	target, err := url.Parse(env.Info.AWSEndpointURL)
	if err != nil {
		t.Fatal(err)
	}
	proxy := &stallingProxy{held: make(chan struct{}, 16), released: make(chan struct{}, 16), stop: make(chan struct{}), next: httputil.NewSingleHostReverseProxy(target)}
	srv := httptest.NewServer(proxy)
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(proxy.stop) })
	cfgDir := t.TempDir()
	vars := map[string]string{
		"QUILTQ_CATALOG_URL": env.Info.CatalogURL,
		"AWS_ENDPOINT_URL":   srv.URL,
		"XDG_CONFIG_HOME":    cfgDir,
		"XDG_CACHE_HOME":     t.TempDir(),
		"XDG_RUNTIME_DIR":    t.TempDir(),
	}
	g := &globalFlags{fetch: "auto"}
	a := newApp(g, streams{Out: io.Discard, Err: io.Discard, InTTY: true, OutTTY: true}, func(k string) string { return vars[k] })
	t.Cleanup(a.close)
	last := &atomic.Pointer[string]{}
	gate := benchOf(t, a).Gate(context.Background(), &engine.Error{Op: "login", Kind: engine.Credentials, Err: errors.New("not logged in")})
	tm := teatest.NewTestModel(t, rendered{m: gate, last: last}, teatest.WithInitialTermSize(140, 40))
	t.Cleanup(func() { tm.Quit() })
	waitScreen(t, last, "Log in to Quilt")
	tm.Send(tea.KeyPressMsg{Code: 't', Mod: tea.ModCtrl}) // the plain file: this machine may have no keyring
	waitScreen(t, last, "a plain 0600 file")
	flat := func(want ...string) string {
		t.Helper()
		deadline := time.Now().Add(30 * time.Second)
		for {
			sc := ""
			if p := last.Load(); p != nil {
				sc = strings.Join(strings.Fields(*p), " ")
			}
			ok := true
			for _, w := range want {
				ok = ok && strings.Contains(sc, w)
			}
			if ok {
				return sc
			}
			if time.Now().After(deadline) {
				t.Fatalf("the screen never showed %q; it shows:\n%s", want, sc)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	waitHeld := func(what string) {
		t.Helper()
		select {
		case <-proxy.held:
		case <-time.After(60 * time.Second):
			t.Fatalf("%s never called AWS", what)
		}
	}
	waitReleased := func(what string) {
		t.Helper()
		select {
		case <-proxy.released:
		case <-time.After(30 * time.Second):
			t.Fatalf("after esc, %s left its call to AWS hanging", what)
		}
	}

	// 1. The login's check, with STS stalled too: esc cancels it.
	proxy.stall.Store(stallAll)
	tm.Type(loginCode(t, env, "analyst"))
	tm.Send(tea.KeyPressMsg{Code: tea.KeyEnter})
	flat("waiting for the registry to take the code and AWS STS", "esc cancels")
	waitHeld("the login")
	tm.Send(tea.KeyPressMsg{Code: tea.KeyEscape})
	flat("canceled while waiting for the registry to take the code and AWS STS", "paste a new code")
	waitReleased("the login")
	for _, f := range []string{"credentials.json", "logins.json"} {
		if _, err := os.Stat(filepath.Join(cfgDir, "quiltq", f)); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("a canceled login wrote %s (%v)", f, err)
		}
	}

	// 2. Logged in (STS answers), the workbench's opening waits on
	// Athena: esc cancels it and lets its call go; enter opens the
	// workbench once AWS answers.
	proxy.stall.Store(stallButSTS)
	tm.Type(loginCode(t, env, "analyst"))
	tm.Send(tea.KeyPressMsg{Code: tea.KeyEnter})
	waitHeld("opening the workbench")
	flat("Logged in as", "Opening the workbench", "waiting for AWS: the Athena workgroup", "esc cancels")
	tm.Send(tea.KeyPressMsg{Code: tea.KeyEscape})
	flat("canceled while waiting for AWS: the Athena workgroup", "enter opens the workbench again")
	waitReleased("opening the workbench")
	proxy.stall.Store(stallNone)
	tm.Send(tea.KeyPressMsg{Code: tea.KeyEnter})
	waitScreen(t, last, "Catalog", "Query", "analyst", "wg QuiltUserAthena")
}
