package main

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"

	"github.com/quiltq/quiltq/config"
	"github.com/quiltq/quiltq/engine"
	"github.com/quiltq/quiltq/engine/session"
	"github.com/quiltq/quiltq/ui"
	loginui "github.com/quiltq/quiltq/ui/login"
)

// newTUIGate is the workbench behind the login screen, which logs in as
// `quiltq login` does and then connects the workbench.
func newTUIGate(ctx context.Context, a *app, s *config.Settings, look tuiLookT, slot *atomic.Pointer[tuiEngine], why error) ui.Gate {
	o := loginui.Options{
		CatalogURL: s.CatalogURL(),
		File:       s.InsecureStorage(),
		Why:        "quiltq has no usable Quilt login for this profile (" + reason(why) + "): log in here, as `quiltq login` would.",
		Login:      a.tuiLogin,
		Context:    ctx,
	}
	return ui.NewGate(o, look.theme, func(wait context.Context) (ui.Config, error) {
		// wait is ctx until the screen's esc or timeout ends it.
		cfg, err := connectTUI(wait, a, s, look, slot)
		return cfg, session.CredentialsCause(err)
	})
}

// tuiLogin is `quiltq login`'s exchange, verification and save, for the
// login screen.
func (a *app) tuiLogin(ctx context.Context, catalogURL, code string, file bool) (string, error) {
	opts, err := a.options()
	if err != nil {
		return "", err
	}
	t, err := session.PrepareLogin(ctx, opts, catalogURL, file)
	if err != nil {
		return "", err
	}
	li, err := session.CompleteLogin(ctx, t, code)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("%s <%s>, role %s", li.Name, li.Email, li.Role), nil
}

// reason is the words of err without its operation's name.
func reason(err error) string {
	var e *engine.Error
	if errors.As(err, &e) && e.Err != nil {
		return e.Err.Error()
	}
	return err.Error()
}
