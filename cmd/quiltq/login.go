package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"

	"golang.org/x/term"

	"github.com/quiltq/quiltq/engine"
	"github.com/quiltq/quiltq/engine/session"
	"github.com/quiltq/quiltq/ui/report"
)

// loginFlags are the flags of `quiltq login`.
type loginFlags struct {
	tokenStdin, apiKey, fromQuilt3, insecure bool
}

// runLogin is `quiltq login [CATALOG_URL]`.
func runLogin(ctx context.Context, g *globalFlags, lf loginFlags, pos []string, st streams, getenv func(string) string) int {
	if len(pos) > 1 {
		fmt.Fprintln(st.Err, "quiltq login: give at most one catalog URL")
		return exitUsage
	}
	if n := btoi(lf.tokenStdin) + btoi(lf.apiKey) + btoi(lf.fromQuilt3); n > 1 {
		fmt.Fprintln(st.Err, "quiltq login: give one of --token-stdin, --api-key and --from-quilt3")
		return exitUsage
	}
	if g.sandbox {
		fmt.Fprintln(st.Err, "quiltq login: --sandbox logs in by itself; to log in to a running `quiltq sandbox serve`, give its catalog URL")
		return exitUsage
	}
	a := newApp(g, st, getenv)
	defer a.close()
	catalogURL := ""
	if len(pos) == 1 {
		catalogURL = pos[0]
	}
	if err := a.login(ctx, lf, catalogURL); err != nil {
		fmt.Fprintf(st.Err, "quiltq login: %v\n", err)
		return exitCode(err)
	}
	return exitOK
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// login is `quiltq login`'s exchange with the user: how the secret is
// had, from the flags, asked here (a terminal without echo, or stdin)
// for session.Login, which verifies the login before saving it.
func (a *app) login(ctx context.Context, lf loginFlags, catalogArg string) error {
	s, err := a.loadSettings()
	if err != nil {
		return err
	}
	opts, err := a.options()
	if err != nil {
		return err
	}
	r := session.LoginRequest{CatalogURL: catalogArg, Insecure: lf.insecure || s.InsecureStorage(),
		Note: func(n string) { fmt.Fprintf(a.st.Err, "quiltq: %s\n", n) }}
	// The secret: quilt3's refresh token, an API key, or a login code.
	switch {
	case lf.fromQuilt3:
		r.Method = session.LoginQuilt3
	case lf.apiKey:
		r.Method = session.LoginAPIKey
		r.Secret = func(context.Context, *session.LoginTarget) (string, error) {
			return a.readSecret("Quilt API key (qk_...): ")
		}
	case lf.tokenStdin:
		r.Secret = func(context.Context, *session.LoginTarget) (string, error) { return readAllSecret(a.st.In) }
	default:
		r.Secret = a.askCode
	}
	li, err := session.Login(ctx, opts, r)
	if err != nil {
		return err
	}
	report.LoggedIn(a.st.Out, li)
	return nil
}

// askCode sends the user to t's code page (opening the browser on the
// catalog's login page when it can) and reads the code they paste.
func (a *app) askCode(_ context.Context, t *session.LoginTarget) (string, error) {
	if !a.st.InTTY {
		return "", &engine.Error{Op: "login", Kind: engine.Invalid, Err: errors.New("stdin is not a terminal, so the code cannot be asked for: pipe it in with --token-stdin")}
	}
	cat := t.Catalog
	codeURL := cat.URL + "/code"
	if a.openBrowser(cat.RegistryURL + "/login") {
		fmt.Fprintf(a.st.Err, "A browser opened the catalog's login page. If it did not, open %s\n", codeURL)
	} else {
		fmt.Fprintf(a.st.Err, "Open %s in a browser, log in, and copy the code it shows.\n", codeURL)
	}
	if offer := session.Quilt3Offer(a.getenv, cat.URL); offer != "" {
		fmt.Fprintf(a.st.Err, "(%s)\n", offer)
	}
	return a.readSecret("Code: ")
}

// readSecret reads one line without echo from a terminal, else a line
// from stdin (session.Login checks its form).
func (a *app) readSecret(prompt string) (string, error) {
	if f, ok := a.st.In.(*os.File); ok && a.st.InTTY && term.IsTerminal(int(f.Fd())) {
		fmt.Fprint(a.st.Err, prompt)
		b, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(a.st.Err)
		if err != nil {
			return "", &engine.Error{Op: "login", Kind: engine.Invalid, Err: fmt.Errorf("reading from the terminal: %v", err)}
		}
		return string(b), nil
	}
	if a.st.InTTY {
		return "", &engine.Error{Op: "login", Kind: engine.Invalid, Err: errors.New("cannot turn off echo on this input: pipe the secret in with --token-stdin")}
	}
	return readAllSecret(a.st.In)
}

// readAllSecret reads the secret from piped stdin: one line, at most 64
// KiB (session.Login checks its form).
func readAllSecret(r io.Reader) (string, error) {
	if r == nil {
		return "", &engine.Error{Op: "login", Kind: engine.Invalid, Err: errors.New("no stdin to read the code from")}
	}
	br := bufio.NewReader(io.LimitReader(r, 64<<10))
	line, err := br.ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", &engine.Error{Op: "login", Kind: engine.Invalid, Err: fmt.Errorf("reading stdin: %v", err)}
	}
	return line, nil
}

// openBrowser opens url (which carries no secret) in the user's browser
// when there is one to open, and reports whether it did.
func (a *app) openBrowser(url string) bool {
	var name string
	switch runtime.GOOS {
	case "darwin":
		name = "open"
	case "windows":
		return false
	default:
		if a.getenv("DISPLAY") == "" && a.getenv("WAYLAND_DISPLAY") == "" {
			return false
		}
		name = "xdg-open"
	}
	path, err := exec.LookPath(name)
	if err != nil {
		return false
	}
	cmd := exec.Command(path, url)
	if err := cmd.Start(); err != nil {
		return false
	}
	// Reap it in the background; xdg-open returns once the browser is asked.
	go func() { _ = cmd.Wait() }()
	return true
}
