package registry

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestJWT(t *testing.T) {
	key := []byte("k")
	now := time.Unix(1_800_000_000, 0)
	tok := signJWT(key, claims{ID: "u1", UUID: "t1", Exp: now.Unix() + 60})
	if c, err := parseJWT(key, tok, now); err != nil || c.ID != "u1" || c.UUID != "t1" {
		t.Errorf("got %+v %v, want the claims back", c, err)
	}
	cases := map[string]struct {
		tok  string
		now  time.Time
		want error
	}{
		"expired":      {tok, now.Add(time.Minute), errOutdated},
		"other key":    {signJWT([]byte("other"), claims{ID: "u1", Exp: now.Unix() + 60}), now, errUndecodable},
		"alg none":     {"eyJhbGciOiJub25lIn0." + strings.Split(tok, ".")[1] + ".", now, errUndecodable},
		"two parts":    {"a.b", now, errUndecodable},
		"bad base64":   {"!!.!!.!!", now, errUndecodable},
		"payload flip": {strings.Split(tok, ".")[0] + ".eyJpZCI6InUyIiwiZXhwIjo5OTk5OTk5OTk5fQ." + strings.Split(tok, ".")[2], now, errUndecodable},
		"empty":        {"", now, errUndecodable},
	}
	for name, c := range cases {
		if _, err := parseJWT(key, c.tok, c.now); !errors.Is(err, c.want) {
			t.Errorf("%s: got %v, want %v", name, err, c.want)
		}
	}
}

// FuzzParseJWT checks that parseJWT never panics and accepts only tokens
// signed with the key.
func FuzzParseJWT(f *testing.F) {
	key := []byte("fuzz-key")
	f.Add(signJWT(key, claims{ID: "u", UUID: "t", Exp: 1 << 40}))
	f.Add("eyJhbGciOiJub25lIn0.eyJpZCI6InUifQ.")
	f.Add("a.b.c")
	f.Fuzz(func(t *testing.T, tok string) {
		c, err := parseJWT(key, tok, time.Unix(0, 0))
		if err == nil && (c.ID == "" || len(strings.Split(tok, ".")) != 3) {
			t.Fatalf("accepted %q with claims %+v", tok, c)
		}
	})
}
