package workbench

import (
	"context"
	"errors"
	"fmt"

	"github.com/quiltq/quiltq/engine"
	"github.com/quiltq/quiltq/engine/session"
	"github.com/quiltq/quiltq/ui"
	loginui "github.com/quiltq/quiltq/ui/login"
)

// Gate is the workbench behind the login screen, which logs in as
// `quiltq login` does and then connects the workbench. why is what the
// session said of the login it wanted.
func (w *Workbench) Gate(ctx context.Context, why error) ui.Gate {
	s := w.opts.Settings
	o := loginui.Options{
		CatalogURL: s.CatalogURL(),
		File:       s.InsecureStorage(),
		Why:        "quiltq has no usable Quilt login for this profile (" + reason(why) + "): log in here, as `quiltq login` would.",
		Login:      w.login,
		Context:    ctx,
	}
	return ui.NewGate(o, w.look.Theme, func(wait context.Context) (ui.Config, error) {
		// wait is ctx until the screen's esc or timeout ends it.
		cfg, err := w.Connect(wait)
		return cfg, session.CredentialsCause(err)
	})
}

// login is `quiltq login`'s exchange, verification and save, for the
// login screen, with the code typed there.
func (w *Workbench) login(ctx context.Context, catalogURL, code string, file bool) (string, error) {
	li, err := session.Login(ctx, w.opts, session.LoginRequest{CatalogURL: catalogURL, Insecure: file,
		Secret: func(context.Context, *session.LoginTarget) (string, error) { return code, nil }})
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
