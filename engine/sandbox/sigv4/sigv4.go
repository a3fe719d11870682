// Package sigv4 verifies AWS Signature Version 4 on the server side: it
// reads the signature of a request (from its Authorization header or, for
// a presigned URL, from its query), rebuilds the canonical request and the
// string to sign as AWS does, and checks the signature, the request time
// and the payload hash.
//
// The rules follow the SigV4 specification and what the real signers
// (aws-sdk-go-v2, botocore) put on the wire:
//
//   - The canonical URI of S3 is the decoded path encoded once (every byte
//     but the unreserved ones and '/'); other services take the path as it
//     was sent, remove dot segments and encode it a second time.
//   - The canonical query encodes names and values with %20 for a space,
//     then sorts by name and value; a presigned request leaves out
//     X-Amz-Signature.
//   - Header values are trimmed, inner runs of spaces collapsed, and
//     repeated headers joined with commas.
//   - The payload hash is X-Amz-Content-Sha256 when present (a hex hash,
//     UNSIGNED-PAYLOAD or one of the STREAMING-* values), UNSIGNED-PAYLOAD
//     for a presigned S3 request without one, and otherwise the SHA-256 of
//     the body. A hex hash must match the body.
//   - A header-signed request may be 15 minutes early or late; a presigned
//     one lives X-Amz-Expires seconds (at most seven days).
//
// Chunk signatures of STREAMING-AWS4-HMAC-SHA256-PAYLOAD bodies are not
// checked here: neither aws-sdk-go-v2 nor the AWS CLI 2.9 sends them.
package sigv4

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Algorithm is the only signing algorithm the package verifies.
const Algorithm = "AWS4-HMAC-SHA256"

// Payload hash values that stand for something other than a hex hash.
const (
	UnsignedPayload                 = "UNSIGNED-PAYLOAD"
	StreamingUnsignedPayloadTrailer = "STREAMING-UNSIGNED-PAYLOAD-TRAILER"
	StreamingPayload                = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"
	StreamingPayloadTrailer         = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER"
	StreamingEvents                 = "STREAMING-AWS4-HMAC-SHA256-EVENTS"
)

// EmptySHA256 is the hex SHA-256 of an empty payload.
const EmptySHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

// TimeFormat is the layout of X-Amz-Date.
const TimeFormat = "20060102T150405Z"

// MaxSkew is how far the time of a header-signed request may be from the
// server's clock.
const MaxSkew = 15 * time.Minute

// MaxExpires is the longest X-Amz-Expires a presigned request may carry.
const MaxExpires = 7 * 24 * time.Hour

// Signed is the signature a request carries.
type Signed struct {
	AccessKeyID string
	// Date is the request time (X-Amz-Date, or the Date header).
	Date time.Time
	// CredentialDate is the YYYYMMDD of the credential scope.
	CredentialDate string
	Region         string
	Service        string
	// SignedHeaders are the lower-case names of the signed headers, sorted
	// as they were listed.
	SignedHeaders []string
	Signature     string
	SessionToken  string
	// Presigned is true when the signature came in the query.
	Presigned bool
	// Expires is the lifetime of a presigned request (X-Amz-Expires).
	Expires time.Duration
}

// Kind classifies a verification failure, so that a server can answer
// each in its protocol's words.
type Kind int

// The kinds of failure.
const (
	// Malformed: the signature's parts are missing or unreadable.
	Malformed Kind = iota + 1
	// Mismatch: the signature does not match the request.
	Mismatch
	// Skewed: a header-signed request's time is more than MaxSkew away.
	Skewed
	// Expired: a presigned request has outlived X-Amz-Expires.
	Expired
	// NotYetValid: a presigned request's time is in the future.
	NotYetValid
	// ContentMismatch: X-Amz-Content-Sha256 is not the body's hash.
	ContentMismatch
	// MissingContentSHA256: an S3 request signed in its header lacks
	// X-Amz-Content-Sha256, which S3 requires.
	MissingContentSHA256
)

var kindNames = [...]string{
	Malformed: "malformed", Mismatch: "mismatch", Skewed: "skewed", Expired: "expired",
	NotYetValid: "not yet valid", ContentMismatch: "content mismatch",
	MissingContentSHA256: "missing content sha256",
}

func (k Kind) String() string {
	if k > 0 && int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "Kind(" + strconv.Itoa(int(k)) + ")"
}

// Error is a failed parse or verification. Its message never contains a
// secret or a signature.
type Error struct {
	Kind    Kind
	Message string
	// RequestTime and ServerTime are set for Skewed, Expired and
	// NotYetValid.
	RequestTime, ServerTime time.Time
}

func (e *Error) Error() string { return "sigv4: " + e.Kind.String() + ": " + e.Message }

func malformed(format string, args ...any) *Error {
	return &Error{Kind: Malformed, Message: fmt.Sprintf(format, args...)}
}

// Parse reads the signature of r. On failure it still returns what it
// could read (the Service in particular, which names the protocol an
// error must be written in) with an *Error of kind Malformed.
func Parse(r *http.Request) (Signed, error) {
	if auth := r.Header.Get("Authorization"); auth != "" {
		return parseHeader(r, auth)
	}
	if r.URL.Query().Has("X-Amz-Algorithm") {
		return parseQuery(r)
	}
	return Signed{}, malformed("the request is not signed")
}

func parseHeader(r *http.Request, auth string) (Signed, error) {
	var s Signed
	alg, rest, _ := strings.Cut(auth, " ")
	params := map[string]string{}
	for _, part := range strings.Split(rest, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if ok {
			params[k] = v
		}
	}
	// Read the credential first: even a broken header names its service.
	if c, ok := params["Credential"]; ok {
		if err := s.setCredential(c); err != nil {
			return s, err
		}
	}
	if alg != Algorithm {
		return s, malformed("unsupported signing algorithm %q", alg)
	}
	var missing []string
	for _, k := range []string{"Credential", "SignedHeaders", "Signature"} {
		if params[k] == "" {
			missing = append(missing, "Authorization header requires '"+k+"' parameter.")
		}
	}
	if len(missing) > 0 {
		return s, malformed("%s", strings.Join(missing, " "))
	}
	s.SignedHeaders = strings.Split(params["SignedHeaders"], ";")
	if err := checkSignedHeaders(s.SignedHeaders); err != nil {
		return s, err
	}
	s.Signature = params["Signature"]
	s.SessionToken = r.Header.Get("X-Amz-Security-Token")
	date, err := requestDate(r.Header.Get("X-Amz-Date"), r.Header.Get("Date"))
	if err != nil {
		return s, err
	}
	s.Date = date
	return s, s.checkScopeDate()
}

func parseQuery(r *http.Request) (Signed, error) {
	s := Signed{Presigned: true}
	q := r.URL.Query()
	if c := q.Get("X-Amz-Credential"); c != "" {
		if err := s.setCredential(c); err != nil {
			return s, err
		}
	}
	if alg := q.Get("X-Amz-Algorithm"); alg != Algorithm {
		return s, malformed("X-Amz-Algorithm only supports %q", Algorithm)
	}
	for _, k := range []string{"X-Amz-Credential", "X-Amz-Date", "X-Amz-SignedHeaders", "X-Amz-Signature"} {
		if q.Get(k) == "" {
			return s, malformed("Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.")
		}
	}
	s.SignedHeaders = strings.Split(q.Get("X-Amz-SignedHeaders"), ";")
	if err := checkSignedHeaders(s.SignedHeaders); err != nil {
		return s, err
	}
	s.Signature = q.Get("X-Amz-Signature")
	s.SessionToken = q.Get("X-Amz-Security-Token")
	date, err := requestDate(q.Get("X-Amz-Date"), "")
	if err != nil {
		return s, err
	}
	s.Date = date
	if e := q.Get("X-Amz-Expires"); e != "" {
		n, err := strconv.ParseInt(e, 10, 64)
		if err != nil || n < 0 {
			return s, malformed("X-Amz-Expires should be a number")
		}
		if time.Duration(n)*time.Second > MaxExpires {
			return s, malformed("X-Amz-Expires must be less than a week (in seconds) that is 604800")
		}
		s.Expires = time.Duration(n) * time.Second
	} else if s.Service == "s3" {
		return s, malformed("Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.")
	} else {
		// Other services (STS's presigned GetCallerIdentity, for one)
		// default to the skew window.
		s.Expires = MaxSkew
	}
	return s, s.checkScopeDate()
}

// checkSignedHeaders requires Host among the signed headers, as SigV4
// does, and lower-case names.
func checkSignedHeaders(names []string) error {
	host := false
	for _, n := range names {
		if n == "" || n != strings.ToLower(n) {
			return malformed("SignedHeaders must list lower-case header names separated by ';'")
		}
		host = host || n == "host"
	}
	if !host {
		return malformed("'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.")
	}
	return nil
}

// setCredential reads AKID/YYYYMMDD/region/service/aws4_request.
func (s *Signed) setCredential(c string) error {
	parts := strings.Split(c, "/")
	if len(parts) != 5 {
		return malformed("Credential should be scoped to a valid region, not %q", redactKey(c))
	}
	s.AccessKeyID, s.CredentialDate, s.Region, s.Service = parts[0], parts[1], parts[2], parts[3]
	if parts[4] != "aws4_request" {
		return malformed("Credential should be scoped with a valid terminator: 'aws4_request', not '%s'", parts[4])
	}
	if s.AccessKeyID == "" || s.Region == "" || s.Service == "" {
		return malformed("Credential is missing a part")
	}
	if _, err := time.Parse("20060102", s.CredentialDate); err != nil {
		return malformed("Credential date %q is not YYYYMMDD", s.CredentialDate)
	}
	return nil
}

// redactKey keeps a credential's scope but not its access key id, which
// is not a secret but has no place in an error either.
func redactKey(c string) string {
	if _, rest, ok := strings.Cut(c, "/"); ok {
		return "…/" + rest
	}
	return "…"
}

func (s *Signed) checkScopeDate() error {
	if d := s.Date.UTC().Format("20060102"); d != s.CredentialDate {
		return malformed("Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '%s' != '%s'", s.CredentialDate, d)
	}
	return nil
}

func requestDate(amzDate, httpDate string) (time.Time, error) {
	if amzDate != "" {
		t, err := time.Parse(TimeFormat, amzDate)
		if err != nil {
			return time.Time{}, malformed("X-Amz-Date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\"")
		}
		return t, nil
	}
	if httpDate != "" {
		t, err := http.ParseTime(httpDate)
		if err != nil {
			return time.Time{}, malformed("Date header %q is not an HTTP date", httpDate)
		}
		return t.UTC(), nil
	}
	return time.Time{}, malformed("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.")
}

// Verify checks s against r with secret at time now: the request time,
// the payload hash and the signature, in that order. It reads the body
// when it must hash it and leaves r.Body readable from the start.
func Verify(r *http.Request, s Signed, secret string, now time.Time) error {
	if err := checkTime(s, now); err != nil {
		return err
	}
	payload, err := payloadHash(r, s)
	if err != nil {
		return err
	}
	sts := StringToSign(s, CanonicalRequest(r, s, payload))
	want := signature(secret, s, sts)
	// hmac.Equal compares in constant time.
	if !hmac.Equal([]byte(want), []byte(strings.ToLower(s.Signature))) {
		return &Error{Kind: Mismatch, Message: "the request signature does not match"}
	}
	return nil
}

func checkTime(s Signed, now time.Time) error {
	e := &Error{RequestTime: s.Date, ServerTime: now.UTC()}
	switch {
	case s.Presigned && now.After(s.Date.Add(s.Expires)):
		e.Kind, e.Message = Expired, "Request has expired"
	case s.Presigned && s.Date.After(now.Add(MaxSkew)):
		e.Kind, e.Message = NotYetValid, "Request is not yet valid"
	case !s.Presigned && (s.Date.Before(now.Add(-MaxSkew)) || s.Date.After(now.Add(MaxSkew))):
		e.Kind, e.Message = Skewed, "The difference between the request time and the current time is too large."
	default:
		return nil
	}
	return e
}

// payloadHash returns the payload hash of the canonical request, checking
// a declared hex hash against the body.
func payloadHash(r *http.Request, s Signed) (string, error) {
	declared := r.Header.Get("X-Amz-Content-Sha256")
	if declared == "" && s.Presigned {
		declared = r.URL.Query().Get("X-Amz-Content-Sha256")
	}
	switch declared {
	case UnsignedPayload, StreamingUnsignedPayloadTrailer, StreamingPayload, StreamingPayloadTrailer, StreamingEvents:
		return declared, nil
	case "":
		if s.Service == "s3" {
			if s.Presigned {
				return UnsignedPayload, nil
			}
			return "", &Error{Kind: MissingContentSHA256, Message: "Missing required header for this request: x-amz-content-sha256"}
		}
		return bodyHash(r)
	}
	if !isHexHash(declared) {
		return "", malformed("x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-UNSIGNED-PAYLOAD-TRAILER, STREAMING-AWS4-HMAC-SHA256-PAYLOAD, STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER, STREAMING-AWS4-HMAC-SHA256-EVENTS or a valid sha256 value.")
	}
	actual, err := bodyHash(r)
	if err != nil {
		return "", err
	}
	if actual != strings.ToLower(declared) {
		return "", &Error{Kind: ContentMismatch, Message: "The provided 'x-amz-content-sha256' header does not match what was computed."}
	}
	return declared, nil
}

func isHexHash(s string) bool {
	if len(s) != 64 {
		return false
	}
	_, err := hex.DecodeString(s)
	return err == nil
}

// bodyHash hashes r's body and puts an unread copy back in its place.
func bodyHash(r *http.Request) (string, error) {
	if r.Body == nil || r.Body == http.NoBody {
		return EmptySHA256, nil
	}
	b, err := io.ReadAll(r.Body)
	_ = r.Body.Close()
	r.Body = io.NopCloser(bytes.NewReader(b))
	if err != nil {
		return "", malformed("cannot read the request body: %v", err)
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:]), nil
}

// CanonicalRequest builds the canonical request of r as signed by s, with
// the given payload hash.
func CanonicalRequest(r *http.Request, s Signed, payloadHash string) string {
	var b strings.Builder
	b.WriteString(r.Method)
	b.WriteByte('\n')
	b.WriteString(canonicalURI(r, s.Service))
	b.WriteByte('\n')
	b.WriteString(canonicalQuery(r.URL.RawQuery, s.Presigned))
	b.WriteByte('\n')
	for _, h := range s.SignedHeaders {
		b.WriteString(h)
		b.WriteByte(':')
		b.WriteString(headerValue(r, h))
		b.WriteByte('\n')
	}
	b.WriteByte('\n')
	b.WriteString(strings.Join(s.SignedHeaders, ";"))
	b.WriteByte('\n')
	b.WriteString(payloadHash)
	return b.String()
}

// StringToSign builds the string to sign from a canonical request.
func StringToSign(s Signed, canonicalRequest string) string {
	sum := sha256.Sum256([]byte(canonicalRequest))
	return Algorithm + "\n" + s.Date.UTC().Format(TimeFormat) + "\n" + scope(s) + "\n" + hex.EncodeToString(sum[:])
}

func scope(s Signed) string {
	return s.CredentialDate + "/" + s.Region + "/" + s.Service + "/aws4_request"
}

func signature(secret string, s Signed, stringToSign string) string {
	k := hmacSHA256([]byte("AWS4"+secret), s.CredentialDate)
	k = hmacSHA256(k, s.Region)
	k = hmacSHA256(k, s.Service)
	k = hmacSHA256(k, "aws4_request")
	return hex.EncodeToString(hmacSHA256(k, stringToSign))
}

func hmacSHA256(key []byte, data string) []byte {
	h := hmac.New(sha256.New, key)
	h.Write([]byte(data))
	return h.Sum(nil)
}

// canonicalURI encodes the request path as service expects.
func canonicalURI(r *http.Request, service string) string {
	if service == "s3" {
		// S3 signs the object key itself: decode what was sent, encode once.
		p := r.URL.Path
		if p == "" {
			p = "/"
		}
		return uriEncode(p, false)
	}
	p := rawPath(r)
	p = removeDotSegments(p)
	return uriEncode(p, false)
}

// rawPath is the path exactly as the client sent it, before Go decoded it.
func rawPath(r *http.Request) string {
	p := ""
	if r.RequestURI != "" && r.RequestURI != "*" {
		p, _, _ = strings.Cut(r.RequestURI, "?")
		if i := strings.Index(p, "://"); i >= 0 { // absolute-form request target
			p = p[i+3:]
			if j := strings.IndexByte(p, '/'); j >= 0 {
				p = p[j:]
			} else {
				p = ""
			}
		}
	} else {
		p = r.URL.EscapedPath()
	}
	if p == "" {
		p = "/"
	}
	return p
}

// removeDotSegments drops "." and ".." segments (RFC 3986, 5.2.4), as AWS
// normalizes the paths of services other than S3.
func removeDotSegments(p string) string {
	if !strings.Contains(p, ".") {
		return p
	}
	segs := strings.Split(p, "/")
	out := make([]string, 0, len(segs))
	for i, seg := range segs {
		switch seg {
		case ".":
			if i == len(segs)-1 {
				out = append(out, "")
			}
		case "..":
			if len(out) > 1 {
				out = out[:len(out)-1]
			}
			if i == len(segs)-1 {
				out = append(out, "")
			}
		default:
			out = append(out, seg)
		}
	}
	res := strings.Join(out, "/")
	if !strings.HasPrefix(res, "/") {
		res = "/" + res
	}
	return res
}

// uriEncode percent-encodes every byte but the unreserved ones (and '/'
// unless encodeSlash), with upper-case hex, as SigV4 requires.
func uriEncode(s string, encodeSlash bool) string {
	const hexDigits = "0123456789ABCDEF"
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if unreserved(c) || (c == '/' && !encodeSlash) {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hexDigits[c>>4])
		b.WriteByte(hexDigits[c&15])
	}
	return b.String()
}

func unreserved(c byte) bool {
	return 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' ||
		c == '-' || c == '_' || c == '.' || c == '~'
}

// canonicalQuery decodes each name and value, re-encodes them as SigV4
// does and sorts the pairs after encoding.
func canonicalQuery(raw string, presigned bool) string {
	if raw == "" {
		return ""
	}
	type pair struct{ k, v string }
	var pairs []pair
	for _, part := range strings.Split(raw, "&") {
		if part == "" {
			continue
		}
		k, v, _ := strings.Cut(part, "=")
		k, v = queryUnescape(k), queryUnescape(v)
		if presigned && k == "X-Amz-Signature" {
			continue
		}
		pairs = append(pairs, pair{uriEncode(k, true), uriEncode(v, true)})
	}
	sort.Slice(pairs, func(i, j int) bool {
		if pairs[i].k != pairs[j].k {
			return pairs[i].k < pairs[j].k
		}
		return pairs[i].v < pairs[j].v
	})
	var b strings.Builder
	for i, p := range pairs {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(p.k)
		b.WriteByte('=')
		b.WriteString(p.v)
	}
	return b.String()
}

// queryUnescape decodes a query component as a form would ('+' is a
// space); a malformed escape is kept literally, so that it cannot match.
func queryUnescape(s string) string {
	u, err := url.QueryUnescape(s)
	if err != nil {
		return s
	}
	return u
}

// headerValue is the canonical value of the signed header name. Go's
// server moves Host, Content-Length and Transfer-Encoding out of Header.
func headerValue(r *http.Request, name string) string {
	var values []string
	switch name {
	case "host":
		values = []string{r.Host}
	case "content-length":
		values = r.Header.Values("Content-Length")
		if len(values) == 0 && r.ContentLength >= 0 {
			values = []string{strconv.FormatInt(r.ContentLength, 10)}
		}
	case "transfer-encoding":
		values = r.TransferEncoding
	default:
		values = r.Header.Values(name)
	}
	// Header.Values returns the header's own slice: build a new one.
	clean := make([]string, len(values))
	for i, v := range values {
		clean[i] = collapseSpaces(strings.TrimSpace(v))
	}
	return strings.Join(clean, ",")
}

func collapseSpaces(s string) string {
	if !strings.Contains(s, "  ") {
		return s
	}
	var b strings.Builder
	space := false
	for i := 0; i < len(s); i++ {
		if s[i] == ' ' {
			if space {
				continue
			}
			space = true
		} else {
			space = false
		}
		b.WriteByte(s[i])
	}
	return b.String()
}
