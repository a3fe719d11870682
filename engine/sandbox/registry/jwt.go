package registry

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"time"
)

// claims are the only claims of a registry access token.
type claims struct {
	ID   string `json:"id"`   // the user's id
	UUID string `json:"uuid"` // this token's id
	Exp  int64  `json:"exp"`  // expiry, epoch seconds
}

// jwtHeader is the fixed header of the registry's tokens.
const jwtHeader = `{"typ":"JWT","alg":"HS256"}`

var (
	// errUndecodable is answered "Token could not be deserialized".
	errUndecodable = errors.New("token could not be deserialized")
	// errOutdated is answered "Outdated access token: please log in again".
	errOutdated = errors.New("outdated access token")
)

// signJWT returns an HS256 JWT of c.
func signJWT(key []byte, c claims) string {
	payload, _ := json.Marshal(c)
	enc := base64.RawURLEncoding
	unsigned := enc.EncodeToString([]byte(jwtHeader)) + "." + enc.EncodeToString(payload)
	return unsigned + "." + enc.EncodeToString(mac(key, unsigned))
}

func mac(key []byte, s string) []byte {
	h := hmac.New(sha256.New, key)
	h.Write([]byte(s))
	return h.Sum(nil)
}

// parseJWT verifies tok's HS256 signature with key and returns its
// claims; an expired token gives errOutdated.
func parseJWT(key []byte, tok string, now time.Time) (claims, error) {
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		return claims{}, errUndecodable
	}
	enc := base64.RawURLEncoding
	hb, err := enc.DecodeString(parts[0])
	if err != nil {
		return claims{}, errUndecodable
	}
	var h struct {
		Alg string `json:"alg"`
	}
	// The algorithm is fixed: a token naming another ("none") is refused
	// rather than trusted.
	if json.Unmarshal(hb, &h) != nil || h.Alg != "HS256" {
		return claims{}, errUndecodable
	}
	sig, err := enc.DecodeString(parts[2])
	if err != nil || !hmac.Equal(sig, mac(key, parts[0]+"."+parts[1])) {
		return claims{}, errUndecodable
	}
	pb, err := enc.DecodeString(parts[1])
	if err != nil {
		return claims{}, errUndecodable
	}
	var c claims
	if json.Unmarshal(pb, &c) != nil || c.ID == "" {
		return claims{}, errUndecodable
	}
	if now.Unix() >= c.Exp {
		return claims{}, errOutdated
	}
	return c, nil
}
