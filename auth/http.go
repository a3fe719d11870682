package auth

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"

	"github.com/quiltq/quiltq/engine"
)

// maxReply caps how much of a reply is read: config.json, tokens and
// credentials are a few hundred bytes, GraphQL answers a few hundred KB.
const maxReply = 8 << 20

// reply is one HTTP reply, read whole.
type reply struct {
	url    string // the URL that answered, after redirects
	status int
	ctype  string
	body   []byte
}

// do sends req with hc (http.DefaultClient when nil) and reads the reply.
func do(hc *http.Client, req *http.Request) (*reply, error) {
	if hc == nil {
		hc = http.DefaultClient
	}
	resp, err := hc.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxReply))
	if err != nil {
		return nil, err
	}
	return &reply{url: resp.Request.URL.String(), status: resp.StatusCode, ctype: resp.Header.Get("Content-Type"), body: body}, nil
}

// isJSON reports whether the reply is JSON: by its content type, or, for
// servers that send none or text/plain, by its first character.
func (r *reply) isJSON() bool {
	mt, _, _ := mime.ParseMediaType(r.ctype)
	switch {
	case mt == "application/json" || strings.HasSuffix(mt, "+json"):
		return true
	case mt == "" || mt == "text/plain":
		b := bytes.TrimSpace(r.body)
		return len(b) > 0 && (b[0] == '{' || b[0] == '[')
	}
	return false
}

// describe says what answered and how: `https://x/config.json answered
// HTTP 200 with text/html`.
func (r *reply) describe() string {
	ct := r.ctype
	if ct == "" {
		ct = "no content type"
	}
	return fmt.Sprintf("%s answered HTTP %d with %s", r.url, r.status, ct)
}

// message is the server's explanation in a JSON error reply: the
// "message" field, else "error" (as the Quilt catalog reads them), with
// secrets cut out and its length capped.
func (r *reply) message(secrets ...string) string {
	var m struct {
		Message string `json:"message"`
		Error   string `json:"error"`
	}
	if !r.isJSON() || json.Unmarshal(r.body, &m) != nil {
		return ""
	}
	msg := m.Message
	if msg == "" {
		msg = m.Error
	}
	return redact(msg, secrets...)
}

// redact removes each secret from s and caps s at 300 bytes, so that a
// server that echoes what it was sent cannot leak a token into an error.
func redact(s string, secrets ...string) string {
	for _, sec := range secrets {
		if sec != "" {
			s = strings.ReplaceAll(s, sec, "[redacted]")
		}
	}
	if len(s) > 300 {
		s = s[:300] + "..."
	}
	return s
}

// netError explains a failed request: canceled, or what to check.
func netError(ctx context.Context, op, what string, err error) error {
	if ctx.Err() != nil {
		return &engine.Error{Op: op, Kind: engine.Canceled, Err: ctx.Err()}
	}
	// url.Error repeats the method and URL; say it once, in our words.
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	return &engine.Error{Op: op, Kind: engine.Other, Err: fmt.Errorf("cannot reach %s: %v; check the address, your network connection and any VPN or proxy", what, err)}
}
