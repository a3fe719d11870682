package auth

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/quiltq/quiltq/engine"
)

// TestForbiddenIsNotLogInAgain: a 403 from the registry means the login
// was recognised and the request refused. It is a Denied error that says
// a new login will not help, never "log in again", and a Session does
// not swap its access token and ask again, as it does after a 401.
func TestForbiddenIsNotLogInAgain(t *testing.T) {
	const refresh, access = "refresh-SECRET-1", "access-SECRET-2"
	var mu sync.Mutex
	calls := map[string]int{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		calls[r.URL.Path]++
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		switch r.URL.Path {
		case "/api/token":
			if r.FormValue("refresh_token") == "forbidden" {
				w.WriteHeader(http.StatusForbidden)
				w.Write([]byte(`{"message": "User is inactive"}`))
				return
			}
			w.Write([]byte(`{"access_token": "` + access + `", "refresh_token": "next", "expires_at": ` +
				strconv.FormatInt(time.Now().Add(time.Hour).Unix(), 10) + `}`))
		default:
			w.WriteHeader(http.StatusForbidden)
			w.Write([]byte(`{"message": "Forbidden for ` + access + `"}`))
		}
	}))
	t.Cleanup(srv.Close)
	reg := &Registry{URL: srv.URL}
	ctx := context.Background()
	want := []string{"knows who you are but refuses this", "logging in again will not change it", "Quilt admin"}

	_, err := reg.Credentials(ctx, access)
	wantKind(t, err, engine.Denied, append(want, "Forbidden for [redacted]"), access)
	err = reg.GraphQL(ctx, access, `query { me { name } }`, nil, nil)
	wantKind(t, err, engine.Denied, want, access)
	_, err = reg.Exchange(ctx, "forbidden")
	wantKind(t, err, engine.Denied, append(want, "User is inactive"))
	if strings.Contains(err.Error(), "quiltq login") {
		t.Errorf("a 403 tells the user to log in again: %v", err)
	}

	mu.Lock()
	calls = map[string]int{}
	mu.Unlock()
	_, err = NewSession(reg, Tokens{RefreshToken: refresh}, SessionOptions{}).Retrieve(ctx)
	wantKind(t, err, engine.Denied, want, refresh, access)
	if strings.Contains(err.Error(), "quiltq login") {
		t.Errorf("Retrieve after a 403 tells the user to log in again: %v", err)
	}
	mu.Lock()
	defer mu.Unlock()
	if calls["/api/token"] != 1 || calls["/api/auth/get_credentials"] != 1 {
		t.Errorf("calls %v: want one exchange and one get_credentials (no token swap after a 403)", calls)
	}
}
