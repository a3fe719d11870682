package registry

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/quiltq/quiltq/engine/sandbox/principal"
	"github.com/quiltq/quiltq/engine/sandbox/stack"
)

// clock is a settable time source, safe to read from server goroutines.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func testStack() *stack.Stack {
	return &stack.Stack{
		Name: "sales-prod", Region: "us-east-1", AccountID: "123456789012", StackVersion: "1.66.0",
		Users: []stack.User{
			{Name: "alice", Email: "alice@example.com", Role: "Analyst", Roles: []string{"Analyst", "Engineer"}},
			{Name: "bob", Email: "bob@example.com", Role: "Engineer", Admin: true, RefreshToken: "bob-demo-token"},
		},
		Roles: []stack.Role{
			{Name: "Analyst", Buckets: []string{"sales-data"}, Managed: true},
			{Name: "Engineer", Buckets: []string{"sales-data", "raw-events"}, Managed: true},
		},
		Buckets: []stack.Bucket{
			{Name: "sales-data", TabulatorTables: []stack.TabulatorTable{{Name: "orders", Config: "schema:\n- name: id\n  type: INT\n"}}},
			{Name: "raw-events"},
			{Name: "secret-bucket"},
		},
	}
}

type fixture struct {
	srv   *httptest.Server
	reg   *Registry
	keys  *principal.Keys
	clock *clock
	logs  *bytes.Buffer
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	f := &fixture{clock: &clock{t: time.Date(2026, 11, 22, 15, 0, 0, 0, time.UTC)}, logs: &bytes.Buffer{}}
	f.keys = principal.NewKeys(time.Hour, f.clock.Now)
	var mu sync.Mutex
	log := slog.New(slog.NewTextHandler(lockedWriter{&mu, f.logs}, nil))
	reg, err := New(Config{Stack: testStack(), Keys: f.keys, Now: f.clock.Now, AccessTokenTTL: 10 * time.Minute, Log: log})
	if err != nil {
		t.Fatal(err)
	}
	f.reg = reg
	api := http.StripPrefix("/registry", reg.APIHandler())
	catalog := reg.CatalogHandler()
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/registry/") {
			api.ServeHTTP(w, r)
			return
		}
		catalog.ServeHTTP(w, r)
	}))
	t.Cleanup(f.srv.Close)
	return f
}

type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (l lockedWriter) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(b)
}

// call sends a request and decodes a JSON reply into out (when not nil).
func (f *fixture) call(t *testing.T, method, path, contentType, body, bearer string, out any) int {
	t.Helper()
	req, err := http.NewRequest(method, f.srv.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			t.Fatalf("%s %s: reply %q is not JSON: %v", method, path, b, err)
		}
	}
	return resp.StatusCode
}

type tokens struct {
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token"`
	ExpiresAt    int64  `json:"expires_at"`
	Message      string `json:"message"`
}

func (f *fixture) exchange(t *testing.T, refresh string) (tokens, int) {
	t.Helper()
	var tk tokens
	status := f.call(t, "POST", "/registry/api/token", "application/x-www-form-urlencoded",
		url.Values{"refresh_token": {refresh}}.Encode(), "", &tk)
	return tk, status
}

var codeRE = regexp.MustCompile(`id="code">([^<]+)<`)

func (f *fixture) code(t *testing.T, user string) string {
	t.Helper()
	resp, err := http.Get(f.srv.URL + "/code?user=" + url.QueryEscape(user))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	m := codeRE.FindSubmatch(b)
	if resp.StatusCode != 200 || m == nil {
		t.Fatalf("GET /code?user=%s: got %d %q, want a page with the code", user, resp.StatusCode, b)
	}
	return string(m[1])
}

func (f *fixture) graphql(t *testing.T, access, query string, vars map[string]any) (int, map[string]any) {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	var out map[string]any
	status := f.call(t, "POST", "/registry/graphql", "application/json", string(body), access, &out)
	return status, out
}

func TestConfigAndCodePages(t *testing.T) {
	f := newFixture(t)
	var cfg map[string]any
	if status := f.call(t, "GET", "/config.json", "", "", "", &cfg); status != 200 {
		t.Fatalf("GET /config.json: got %d, want 200", status)
	}
	want := map[string]any{"registryUrl": f.srv.URL + "/registry", "region": "us-east-1", "stackVersion": "1.66.0", "mode": "PRODUCT", "alwaysRequiresAuth": true}
	for k, v := range want {
		if cfg[k] != v {
			t.Errorf("config.json %s: got %v, want %v", k, cfg[k], v)
		}
	}
	for _, k := range []string{"apiGatewayEndpoint", "mixpanelToken", "passwordAuth", "s3Proxy", "serviceBucket", "ssoAuth", "ssoProviders", "analyticsBucket"} {
		if _, ok := cfg[k]; !ok {
			t.Errorf("config.json lacks required key %s", k)
		}
	}

	resp, err := http.Get(f.srv.URL + "/code")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, s := range []string{`href="/code?user=alice"`, `href="/code?user=bob"`} {
		if !strings.Contains(string(page), s) {
			t.Errorf("GET /code: page lacks %s", s)
		}
	}
	if a, b := f.code(t, "alice"), f.code(t, "alice@example.com"); a == b || a == "" {
		t.Errorf("got codes %q and %q, want two different fresh codes", a, b)
	}
	for _, path := range []string{"/code?user=nobody", "/nothing", "/registry"} {
		resp, err := http.Get(f.srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 404 {
			t.Errorf("GET %s: got %d, want 404", path, resp.StatusCode)
		}
	}

	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err = noRedirect.Get(f.srv.URL + "/registry/login")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != f.srv.URL+"/code" {
		t.Errorf("GET /registry/login: got %d to %q, want 302 to %s/code", resp.StatusCode, resp.Header.Get("Location"), f.srv.URL)
	}
}

func TestTokenRotation(t *testing.T) {
	f := newFixture(t)
	code := f.code(t, "alice")

	first, status := f.exchange(t, code)
	if status != 200 || first.AccessToken == "" || first.RefreshToken == "" || first.RefreshToken == code {
		t.Fatalf("exchange of the code: got %d %+v, want new tokens", status, first)
	}
	if want := f.clock.Now().Add(10 * time.Minute).Unix(); first.ExpiresAt != want {
		t.Errorf("expires_at: got %d, want %d", first.ExpiresAt, want)
	}
	claims := jwtClaims(t, first.AccessToken)
	if len(claims) != 3 || claims["id"] == nil || claims["uuid"] == nil || claims["exp"] != float64(first.ExpiresAt) {
		t.Errorf("access token claims: got %v, want exactly id, uuid and exp=%d", claims, first.ExpiresAt)
	}

	// The client crashed before saving: the code still works and yields the
	// same successor.
	again, status := f.exchange(t, code)
	if status != 200 || again.RefreshToken != first.RefreshToken || again.AccessToken == first.AccessToken {
		t.Fatalf("second exchange of the code: got %d %+v, want the same refresh token %q and a new access token", status, again, first.RefreshToken)
	}
	// Using the successor retires the code.
	second, status := f.exchange(t, first.RefreshToken)
	if status != 200 || second.RefreshToken == first.RefreshToken {
		t.Fatalf("exchange of the successor: got %d %+v", status, second)
	}
	if tk, status := f.exchange(t, code); status != 401 || tk.Message == "" {
		t.Errorf("code after its successor was used: got %d %+v, want 401 with a message", status, tk)
	}
	if got, ok := f.reg.RefreshToken("alice"); !ok || got != second.RefreshToken {
		t.Errorf("RefreshToken(alice): got %q %v, want the newest token", got, ok)
	}
	if got, ok := f.reg.RefreshToken("bob@example.com"); !ok || got != "bob-demo-token" {
		t.Errorf("RefreshToken(bob): got %q %v, want the stack's bob-demo-token", got, ok)
	}
	if _, ok := f.reg.RefreshToken("nobody"); ok {
		t.Error("RefreshToken(nobody): got ok, want false")
	}
	if tk, status := f.exchange(t, "bob-demo-token"); status != 200 || tk.AccessToken == "" {
		t.Errorf("exchange of the stack's token: got %d %+v, want 200", status, tk)
	}

	// Bad forms.
	var msg map[string]any
	if status := f.call(t, "POST", "/registry/api/token", "application/json", `{"refresh_token":"`+second.RefreshToken+`"}`, "", &msg); status != 400 {
		t.Errorf("JSON body: got %d, want 400", status)
	}
	if status := f.call(t, "POST", "/registry/api/token", "application/x-www-form-urlencoded", "", "", &msg); status != 400 {
		t.Errorf("empty form: got %d, want 400", status)
	}
	if _, status := f.exchange(t, "not-a-token"); status != 401 {
		t.Errorf("unknown refresh token: got %d, want 401", status)
	}

	// Nothing secret reaches the log.
	for _, s := range []string{code, first.RefreshToken, first.AccessToken, second.RefreshToken, "bob-demo-token"} {
		if strings.Contains(f.logs.String(), s) {
			t.Errorf("the log contains a token: %s", f.logs.String())
		}
	}
}

func jwtClaims(t *testing.T, tok string) map[string]any {
	t.Helper()
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		t.Fatalf("access token %q is not a JWT", tok)
	}
	h, _ := base64.RawURLEncoding.DecodeString(parts[0])
	if string(h) != `{"typ":"JWT","alg":"HS256"}` {
		t.Errorf("JWT header: got %s", h)
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var c map[string]any
	if err := json.Unmarshal(b, &c); err != nil {
		t.Fatal(err)
	}
	return c
}

type creds struct {
	AccessKeyID     string `json:"AccessKeyId"`
	SecretAccessKey string
	SessionToken    string
	Expiration      string
}

func TestCredentialsMeAndGraphQL(t *testing.T) {
	f := newFixture(t)
	tk, _ := f.exchange(t, f.code(t, "alice"))
	access := tk.AccessToken

	var c creds
	if status := f.call(t, "GET", "/registry/api/auth/get_credentials", "", "", access, &c); status != 200 {
		t.Fatalf("get_credentials: got %d", status)
	}
	exp, err := time.Parse(time.RFC3339, c.Expiration)
	if err != nil || !exp.Equal(f.clock.Now().Add(time.Hour)) {
		t.Errorf("Expiration: got %q (%v), want RFC 3339 one hour ahead", c.Expiration, err)
	}
	issued, ok := f.keys.Lookup(c.AccessKeyID)
	want := principal.Caller{User: "alice", Email: "alice@example.com", Role: "Analyst", AccountID: "123456789012"}
	got := issued.Caller
	got.Session = nil
	if !ok || got != want || issued.SecretAccessKey != c.SecretAccessKey || issued.SessionToken != c.SessionToken {
		t.Errorf("issued credentials: got %+v (found %v), want the caller %+v", issued.Caller, ok, want)
	}
	// A managed role's credentials carry the session policy scoping them
	// to its buckets.
	if s := issued.Caller.Session; s == nil || len(s.Policies) != 1 || !strings.Contains(s.Policies[0].Name, "Quilt managed role") {
		t.Errorf("a managed role's credentials carry session %+v, want the registry's session policy", s)
	}

	var me map[string]any
	if status := f.call(t, "GET", "/registry/api/me", "", "", access, &me); status != 200 || me["current_user"] != "alice" || me["email"] != "alice@example.com" || me["is_staff"] != false {
		t.Errorf("/api/me: got %d %v", status, me)
	}
	var code map[string]string
	if status := f.call(t, "GET", "/registry/api/code", "", "", access, &code); status != 200 || code["code"] == "" {
		t.Errorf("/api/code: got %d %v", status, code)
	} else if _, status := f.exchange(t, code["code"]); status != 200 {
		t.Errorf("exchange of the /api/code code: got %d, want 200", status)
	}

	status, out := f.graphql(t, access, `query { me { name email isAdmin role { name } roles { name } } buckets { name title } }`, nil)
	wantJSON(t, status, out, 200, `{"data":{"me":{"name":"alice","email":"alice@example.com","isAdmin":false,"role":{"name":"Analyst"},"roles":[{"name":"Analyst"},{"name":"Engineer"}]},"buckets":[{"name":"sales-data","title":"sales-data"}]}}`)

	const bucketQuery = `query bucketTabulatorTablesList($bucket: String!) { bucketConfig(name: $bucket) { name tabulatorTables { name config } } }`
	status, out = f.graphql(t, access, bucketQuery, map[string]any{"bucket": "sales-data"})
	wantJSON(t, status, out, 200, `{"data":{"bucketConfig":{"name":"sales-data","tabulatorTables":[{"name":"orders","config":"schema:\n- name: id\n  type: INT\n"}]}}}`)
	for _, b := range []string{"raw-events", "no-such-bucket"} {
		status, out = f.graphql(t, access, bucketQuery, map[string]any{"bucket": b})
		wantJSON(t, status, out, 200, `{"data":{"bucketConfig":null}}`)
	}

	const switchRole = `mutation Switch($role: String!) { switchRole(roleName: $role) { __typename ... on Me { name role { name } } ... on InvalidInput { errors { path name } } } }`
	status, out = f.graphql(t, access, switchRole, map[string]any{"role": "Admin"})
	wantJSON(t, status, out, 200, `{"data":{"switchRole":{"__typename":"InvalidInput","errors":[{"path":"roleName","name":"InvalidRole"}]}}}`)
	status, out = f.graphql(t, access, switchRole, map[string]any{"role": "Engineer"})
	wantJSON(t, status, out, 200, `{"data":{"switchRole":{"__typename":"Me","name":"alice","role":{"name":"Engineer"}}}}`)

	// Credentials issued after the switch carry the new role; the role's
	// buckets follow.
	f.call(t, "GET", "/registry/api/auth/get_credentials", "", "", access, &c)
	if issued, _ := f.keys.Lookup(c.AccessKeyID); issued.Caller.Role != "Engineer" {
		t.Errorf("credentials after switchRole: got role %q, want Engineer", issued.Caller.Role)
	}
	status, out = f.graphql(t, access, `{ buckets { name } mine: bucketConfig(name: "raw-events") { name } }`, nil)
	wantJSON(t, status, out, 200, `{"data":{"buckets":[{"name":"sales-data"},{"name":"raw-events"}],"mine":{"name":"raw-events"}}}`)

	// An admin sees any bucket's config.
	bob, _ := f.exchange(t, "bob-demo-token")
	status, out = f.graphql(t, bob.AccessToken, `{ bucketConfig(name: "secret-bucket") { name } }`, nil)
	wantJSON(t, status, out, 200, `{"data":{"bucketConfig":{"name":"secret-bucket"}}}`)
}

func wantJSON(t *testing.T, status int, got map[string]any, wantStatus int, want string) {
	t.Helper()
	var w map[string]any
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatal(err)
	}
	gb, _ := json.Marshal(got)
	wb, _ := json.Marshal(w)
	if status != wantStatus || string(gb) != string(wb) {
		t.Errorf("got %d %s, want %d %s", status, gb, wantStatus, wb)
	}
}

func TestAPIErrors(t *testing.T) {
	f := newFixture(t)
	tk, _ := f.exchange(t, f.code(t, "alice"))

	status, out := f.graphql(t, tk.AccessToken, `{ me { name } nope }`, nil)
	wantJSON(t, status, out, 400, `{"errors":[{"message":"Cannot query field \"nope\" on type \"Query\".","locations":[{"line":1,"column":15}]}]}`)
	status, out = f.graphql(t, tk.AccessToken, `{ bucketConfig(name: "x", color: 1) { name } }`, nil)
	wantJSON(t, status, out, 400, `{"errors":[{"message":"Unknown argument \"color\" on field \"Query.bucketConfig\".","locations":[{"line":1,"column":27}]}]}`)
	status, out = f.graphql(t, tk.AccessToken, `query Q($b: String!) { bucketConfig(name: $b) { name } }`, nil)
	wantJSON(t, status, out, 400, `{"errors":[{"message":"Variable \"$b\" of required type \"String!\" was not provided.","locations":[{"line":1,"column":9}]}]}`)

	var msg map[string]string
	for name, bearer := range map[string]string{"garbage": "not.a.jwt", "empty": "", "tampered": tk.AccessToken + "x"} {
		if status := f.call(t, "GET", "/registry/api/auth/get_credentials", "", "", bearer, &msg); status != 401 || msg["message"] != "Token could not be deserialized" {
			t.Errorf("%s bearer: got %d %v, want 401 Token could not be deserialized", name, status, msg)
		}
	}
	if status := f.call(t, "POST", "/registry/graphql", "application/json", `{"query":"{ me { name } }"}`, "bad", &msg); status != 401 {
		t.Errorf("graphql with a bad token: got %d, want 401", status)
	}
	var gqlErr map[string]any
	if status := f.call(t, "POST", "/registry/graphql", "application/json", `[1,2]`, tk.AccessToken, &gqlErr); status != 400 || gqlErr["errors"] == nil {
		t.Errorf("graphql with a non-object body: got %d, want 400", status)
	}

	f.clock.Add(11 * time.Minute)
	if status := f.call(t, "GET", "/registry/api/me", "", "", tk.AccessToken, &msg); status != 401 || msg["message"] != "Outdated access token: please log in again" {
		t.Errorf("expired access token: got %d %v, want 401 Outdated access token: please log in again", status, msg)
	}
	// The refresh token outlives the access token.
	if next, status := f.exchange(t, tk.RefreshToken); status != 200 || next.ExpiresAt != f.clock.Now().Add(10*time.Minute).Unix() {
		t.Errorf("refresh after expiry: got %d %+v", status, next)
	}
}

// An API key is a Bearer for every authenticated call, acting as its owner
// in their current role, until it expires; an unknown one is refused.
func TestAPIKeys(t *testing.T) {
	f := newFixture(t)
	secret, ok := f.reg.IssueAPIKey("alice@example.com", 24*time.Hour)
	if !ok || !strings.HasPrefix(secret, APIKeyPrefix) {
		t.Fatalf("IssueAPIKey = %q, %v; want a qk_ secret", secret, ok)
	}
	if _, ok := f.reg.IssueAPIKey("nobody", time.Hour); ok {
		t.Error("an API key was issued to an unknown user")
	}
	var creds struct{ AccessKeyId, Message string }
	if status := f.call(t, "GET", "/registry/api/auth/get_credentials", "", "", secret, &creds); status != 200 || creds.AccessKeyId == "" {
		t.Fatalf("get_credentials with an API key: %d %+v", status, creds)
	}
	if status, out := f.graphql(t, secret, `query { me { name } }`, nil); status != 200 || !strings.Contains(string(mustJSON(t, out)), "alice") {
		t.Errorf("GraphQL me with an API key: %d %v", status, out)
	}
	for _, tc := range []struct{ bearer, want string }{
		{APIKeyPrefix + "not-issued", "Invalid API key"},
	} {
		var out struct{ Message string }
		if status := f.call(t, "GET", "/registry/api/auth/get_credentials", "", "", tc.bearer, &out); status != 401 || out.Message != tc.want {
			t.Errorf("%s: %d %q, want 401 %q", tc.bearer, status, out.Message, tc.want)
		}
	}
	f.clock.Add(25 * time.Hour)
	var out struct{ Message string }
	if status := f.call(t, "GET", "/registry/api/auth/get_credentials", "", "", secret, &out); status != 401 || !strings.Contains(out.Message, "expired") {
		t.Errorf("an expired API key: %d %q, want 401 saying it expired", status, out.Message)
	}
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// The session policies credentials carry come from one place, setSession:
// a managed role's bucket scope with its own session_policies beside it,
// an unmanaged role's session_policies alone, none for a role with
// neither; and GrantBucket widens the scope without dropping the role's
// own session policies.
func TestSessionPoliciesOfEveryKindOfRole(t *testing.T) {
	doc := stack.Document(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`)
	st := testStack()
	st.Roles = []stack.Role{
		{Name: "Managed", Buckets: []string{"sales-data"}, Managed: true, SessionPolicies: []stack.Policy{{Name: "extra", Document: doc}}},
		{Name: "ManagedOnly", Buckets: []string{"sales-data"}, Managed: true},
		{Name: "Unmanaged", SessionPolicies: []stack.Policy{{Name: "extra", Document: doc}}},
		{Name: "Plain"},
		{Name: "Other", Buckets: []string{"raw-events"}, Managed: true},
	}
	reg, err := New(Config{Stack: st, Keys: principal.NewKeys(time.Hour, time.Now)})
	if err != nil {
		t.Fatal(err)
	}
	names := func(role string) []string {
		c := reg.caller(userState{user: stack.User{Name: "u"}, role: role})
		if c.Session == nil {
			return nil
		}
		var out []string
		for _, p := range c.Session.Policies {
			out = append(out, p.Name)
		}
		return out
	}
	for _, tc := range []struct {
		role string
		want []string
	}{
		{"Managed", []string{"Managed session policy (Quilt managed role)", "Managed session policy extra"}},
		{"ManagedOnly", []string{"ManagedOnly session policy (Quilt managed role)"}},
		{"Unmanaged", []string{"Unmanaged session policy extra"}},
		{"Plain", nil},
	} {
		if got := names(tc.role); strings.Join(got, "|") != strings.Join(tc.want, "|") {
			t.Errorf("%s: session policies %q, want %q", tc.role, got, tc.want)
		}
	}
	before := reg.caller(userState{role: "Managed"}).Session.Policies[0]
	if err := reg.GrantBucket("Managed", "raw-events"); err != nil {
		t.Fatal(err)
	}
	after := reg.caller(userState{role: "Managed"}).Session
	if got := names("Managed"); len(got) != 2 || got[1] != "Managed session policy extra" {
		t.Errorf("after GrantBucket: %q, want the scope and the role's own session policy", got)
	}
	if got := reg.roleBuckets(userState{role: "Managed"}); after.Policies[0] == before || strings.Join(got, ",") != "sales-data,raw-events" {
		t.Errorf("after GrantBucket: buckets %q (the scope renewed: %v), want sales-data,raw-events and a new scope", got, after.Policies[0] != before)
	}
	if err := reg.GrantBucket("Unmanaged", "raw-events"); err == nil {
		t.Errorf("GrantBucket on an unmanaged role: got no error")
	}
}
