package auth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"time"
)

// SecretStore keeps Quilt logins between runs, one per registry URL, so
// that several stacks can be logged in to at once. Implementations are
// the OS keyring (Keyring) and, only when the user asks for it, a plain
// file (FileStore). Errors never hold a token.
type SecretStore interface {
	// Load returns the login stored for registryURL, or an error that
	// errors.Is ErrNotStored when there is none.
	Load(ctx context.Context, registryURL string) (Tokens, error)
	// Save stores t for registryURL, replacing what was there.
	Save(ctx context.Context, registryURL string, t Tokens) error
	// Delete removes the login of registryURL; deleting nothing is no
	// error.
	Delete(ctx context.Context, registryURL string) error
	// CanSave reports, before anyone is asked for a code, whether a login
	// for registryURL could be saved now: the keyring answers, the file
	// can be read. Its error is worded as the save's.
	CanSave(ctx context.Context, registryURL string) error
	// Name is the credential source the store stands for: SourceKeyring
	// or SourceFile.
	Name() string
	// Where says where the secrets live, for messages ("the keyring,
	// service quiltq", "the file /home/u/.config/quiltq/credentials.json").
	Where() string
}

// ErrNotStored is the error of a store that holds no login for a
// registry.
var ErrNotStored = errors.New("no Quilt login is stored for this registry")

// storedTokens is the JSON form of a login in a store: the same field
// names as quilt3's auth.json, so that the two read alike. An API key is
// kept as refresh_token with no access token and no expiry. The AWS
// credentials the registry last issued go in the same secret, beside the
// login that bought them (quilt3 keeps them beside its auth.json, in
// credentials.json; see api/python/quilt3/session.py in quiltdata/quilt),
// so that they are exactly as protected as the login.
type storedTokens struct {
	RefreshToken string          `json:"refresh_token"`
	AccessToken  string          `json:"access_token,omitempty"`
	ExpiresAt    *float64        `json:"expires_at,omitempty"`
	AWS          *storedAWSCreds `json:"aws_credentials,omitempty"`
}

// storedAWSCreds is the JSON form of AWSCredentials, in the field names
// of the registry's get_credentials reply.
type storedAWSCreds struct {
	AccessKeyID     string    `json:"AccessKeyId"`
	SecretAccessKey string    `json:"SecretAccessKey"`
	SessionToken    string    `json:"SessionToken,omitempty"`
	Expiration      time.Time `json:"Expiration"`
	Principal       string    `json:"principal,omitempty"`
}

func encodeTokens(t Tokens) storedTokens {
	st := storedTokens{RefreshToken: t.RefreshToken, AccessToken: t.AccessToken}
	if !t.ExpiresAt.IsZero() {
		sec := float64(t.ExpiresAt.Unix()) + float64(t.ExpiresAt.Nanosecond())/1e9
		st.ExpiresAt = &sec
	}
	if c := t.AWS; c != nil {
		st.AWS = &storedAWSCreds{AccessKeyID: c.AccessKeyID, SecretAccessKey: c.SecretAccessKey, SessionToken: c.SessionToken, Expiration: c.Expires.UTC(), Principal: c.Principal}
	}
	return st
}

func (st storedTokens) tokens() Tokens {
	t := Tokens{RefreshToken: st.RefreshToken, AccessToken: st.AccessToken}
	if c := st.AWS; c != nil && c.AccessKeyID != "" && c.SecretAccessKey != "" {
		t.AWS = &AWSCredentials{AccessKeyID: c.AccessKeyID, SecretAccessKey: c.SecretAccessKey, SessionToken: c.SessionToken, Expires: c.Expiration, Principal: c.Principal}
	}
	if st.ExpiresAt != nil {
		// Epoch seconds as a float keep about a microsecond: round to it.
		sec, frac := math.Modf(*st.ExpiresAt)
		t.ExpiresAt = time.Unix(int64(sec), int64(math.Round(frac*1e6))*1e3)
	}
	return t
}

// marshalTokens is the one-secret JSON text of a login.
func marshalTokens(t Tokens) (string, error) {
	if t.RefreshToken == "" {
		return "", errors.New("a login without a refresh token or API key cannot be stored")
	}
	b, err := json.Marshal(encodeTokens(t))
	return string(b), err
}

// unmarshalTokens reads a secret written by marshalTokens. Its error
// says what is wrong without quoting the secret.
func unmarshalTokens(secret string) (Tokens, error) {
	var st storedTokens
	if err := json.Unmarshal([]byte(secret), &st); err != nil || st.RefreshToken == "" {
		return Tokens{}, fmt.Errorf("the stored login is not a quiltq login (not JSON with a refresh_token): run `quiltq logout`, then `quiltq login`")
	}
	return st.tokens(), nil
}
