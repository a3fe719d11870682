package auth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"time"

	"github.com/quiltq/quiltq/config"
	"github.com/quiltq/quiltq/engine"
)

// Code asks the registry for a new login code with an access token, as
// the catalog's /code page does (GET /api/code with the session's Bearer,
// answered {"code": ...}; quiltdata/quilt, catalog/app/containers/Auth/
// saga.js getCode). A login code is a refresh token of a chain of its
// own: exchanging it never touches the chain of the token that asked.
func (r *Registry) Code(ctx context.Context, accessToken string) (string, error) {
	const op = "get a login code from the Quilt registry"
	rep, err := r.get(ctx, op, "/api/code", accessToken)
	if err != nil {
		return "", err
	}
	if rep.status != http.StatusOK || !rep.isJSON() {
		return "", badReply(op, rep, accessToken)
	}
	var body struct {
		Code string `json:"code"`
	}
	if err := json.Unmarshal(rep.body, &body); err != nil || body.Code == "" {
		return "", &engine.Error{Op: op, Kind: engine.Invalid, Err: fmt.Errorf("%s but with no code", rep.describe())}
	}
	return body.Code, nil
}

// Quilt3Import is how a quilt3 login was taken over.
type Quilt3Import struct {
	// Code is a login code of quiltq's own: exchange it (Exchange) for
	// quiltq's login, which then rotates apart from quilt3's.
	Code string
	// Refreshed is set when quilt3's access token had expired, so that
	// its refresh token had to be exchanged; WroteBack says whether the
	// rotated login was written back to quilt3's auth.json, and Note,
	// when it was not, why.
	Refreshed bool
	WroteBack bool
	Note      string
}

// ImportQuilt3 takes over quilt3's login without logging quilt3 out.
// The registry rotates refresh tokens, so a refresh token two clients
// share logs out whichever does not rotate it next; instead quiltq asks
// for a login code of its own (Code) with quilt3's access token, and
// never uses quilt3's refresh token again. When quilt3's access token
// is missing or within RefreshMargin of its expiry, quilt3's refresh
// token is exchanged once, as quilt3 itself would, and the rotated login
// is written back to quilt3's auth.json (config.UpdateQuilt3Login,
// atomically, and not over a login quilt3 refreshed meanwhile), so that
// quilt3 stays logged in. The successor is never used by quiltq either,
// and the registry keeps a refresh token valid until its successor is
// first used, so even when the write-back fails quilt3's own token still
// works.
//
// dir and key say where quilt3's login is (config.Quilt3.LoginKey).
func ImportQuilt3(ctx context.Context, reg *Registry, dir, key string, l config.Quilt3Login) (Quilt3Import, error) {
	var out Quilt3Import
	access := l.AccessToken
	if l.ExpiresAt == nil || access == "" || !reg.now().Add(RefreshMargin).Before(epoch(*l.ExpiresAt)) {
		t, err := reg.Exchange(ctx, l.RefreshToken)
		if err != nil {
			return out, err
		}
		out.Refreshed, access = true, t.AccessToken
		exp := float64(t.ExpiresAt.UnixNano()) / 1e9
		switch err := config.UpdateQuilt3Login(dir, key, l.RefreshToken, config.Quilt3Login{RefreshToken: t.RefreshToken, AccessToken: t.AccessToken, ExpiresAt: &exp}); {
		case err == nil:
			out.WroteBack = true
		case errors.Is(err, config.ErrQuilt3Moved):
			out.Note = err.Error()
		default:
			out.Note = fmt.Sprintf("quilt3's refreshed login could not be written back (%v); quilt3's own refresh token still works, since quiltq never uses its successor", err)
		}
	}
	code, err := reg.Code(ctx, access)
	if err != nil {
		return out, fmt.Errorf("the registry would not issue a login code of quiltq's own for quilt3's login, so quilt3's login was not taken over (%w); run `quiltq login URL` instead", err)
	}
	out.Code = code
	return out, nil
}

// epoch is the time of Unix seconds as auth.json stores them (a float).
func epoch(sec float64) time.Time {
	s, frac := math.Modf(sec)
	return time.Unix(int64(s), int64(frac*1e9))
}
