package session

import (
	"errors"
	"strings"
	"testing"

	"github.com/quiltq/quiltq/config"
	"github.com/quiltq/quiltq/engine"
)

// With a login handed in (the sandbox's), QUILTQ_TOKEN or plain AWS
// credentials the login screen is not offered: a stored login would not
// be used.
func TestOffersLoginOnlyWhereItHelps(t *testing.T) {
	var notLoggedIn error = &engine.Error{Op: "login", Kind: engine.Credentials, Err: errors.New("not logged in")}
	for _, tt := range []struct {
		name  string
		login *TokenLogin
		env   map[string]string
		err   error
		want  bool
	}{
		{"nothing set", nil, nil, notLoggedIn, true},
		{"sandbox", &TokenLogin{CatalogURL: "http://127.0.0.1:1", RefreshToken: "x"}, nil, notLoggedIn, false},
		{"token", nil, map[string]string{"QUILTQ_TOKEN": "x"}, notLoggedIn, false},
		{"aws profile", nil, map[string]string{"AWS_PROFILE": "p"}, notLoggedIn, false},
		{"not a credentials error", nil, nil, &engine.Error{Op: "workgroup", Kind: engine.Denied, Err: errors.New("refused")}, false},
	} {
		env := map[string]string{"XDG_CONFIG_HOME": t.TempDir()}
		for k, v := range tt.env {
			env[k] = v
		}
		getenv := func(k string) string { return env[k] }
		s, err := config.Load(getenv, "")
		if err != nil {
			t.Fatal(err)
		}
		if got := OffersLogin(Options{Settings: s, Getenv: getenv, Login: tt.login}, tt.err); got != tt.want {
			t.Errorf("%s: OffersLogin = %v, want %v", tt.name, got, tt.want)
		}
	}
}

// A secret as typed or pasted loses the space around it; an empty one,
// or one with spaces inside, is refused before the registry is asked.
func TestCheckSecret(t *testing.T) {
	for _, tt := range []struct {
		in, want, err string
	}{
		{"abc123\n", "abc123", ""},
		{"  qk_key \r\n", "qk_key", ""},
		{"", "", "no code given"},
		{" \n", "", "no code given"},
		{"abc 123", "", "the code has spaces in it"},
		{"abc\t123\n", "", "the code has spaces in it"},
	} {
		got, err := checkSecret(tt.in)
		switch {
		case tt.err == "" && (err != nil || got != tt.want):
			t.Errorf("checkSecret(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		case tt.err != "" && (err == nil || engine.KindOf(err) != engine.Invalid || !strings.Contains(err.Error(), tt.err)):
			t.Errorf("checkSecret(%q) = %q, %v; want an Invalid error saying %q", tt.in, got, err, tt.err)
		}
	}
}
