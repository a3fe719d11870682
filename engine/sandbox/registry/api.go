package registry

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"strings"

	"github.com/quiltq/quiltq/engine/sandbox/registry/gql"
)

// APIHandler serves the registry API. It is mounted at <listener>/registry
// with that prefix stripped, so its paths are the real registry's:
// POST /api/token, GET /api/auth/get_credentials, GET /api/me,
// GET /api/code, GET /login and POST /graphql.
func (reg *Registry) APIHandler() http.Handler {
	schema := reg.schema()
	mux := http.NewServeMux()
	mux.HandleFunc("POST /api/token", reg.serveToken)
	mux.HandleFunc("GET /api/auth/get_credentials", reg.authed(reg.serveCredentials))
	mux.HandleFunc("GET /api/me", reg.authed(reg.serveMe))
	mux.HandleFunc("GET /api/code", reg.authed(reg.serveCode))
	mux.HandleFunc("GET /login", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, baseURL(r)+"/code", http.StatusFound)
	})
	mux.HandleFunc("POST /graphql", reg.authed(func(w http.ResponseWriter, r *http.Request, user string) {
		reg.serveGraphQL(w, r, user, schema)
	}))
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusNotFound, map[string]string{"message": "Not Found"})
	})
	return mux
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status, b = http.StatusInternalServerError, []byte(`{"message":"cannot encode the reply"}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(append(b, '\n'))
}

func writeMessage(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"message": msg})
}

// serveToken exchanges a refresh token for an access token and the next
// refresh token. The body must be form-encoded, as the real registry
// requires; anything else gets a bare 400 (its exact body is not
// documented).
func (reg *Registry) serveToken(w http.ResponseWriter, r *http.Request) {
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt != "application/x-www-form-urlencoded" {
		writeMessage(w, http.StatusBadRequest, "Bad Request")
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		writeMessage(w, http.StatusBadRequest, "Bad Request")
		return
	}
	tok := r.PostForm.Get("refresh_token")
	if tok == "" {
		writeMessage(w, http.StatusBadRequest, "Bad Request")
		return
	}
	user, next, err := reg.exchange(tok)
	if err != nil {
		reg.log.Info("registry", "event", "Auth.Token", "ok", false)
		writeMessage(w, http.StatusUnauthorized, "Invalid refresh token")
		return
	}
	st, _ := reg.state(user)
	exp := reg.now().Add(reg.ttl).Unix()
	access := signJWT(reg.jwtKey, claims{ID: st.id, UUID: newUUID(), Exp: exp})
	reg.log.Info("registry", "event", "Auth.Token", "ok", true, "user", user)
	writeJSON(w, http.StatusOK, map[string]any{
		"access_token":  access,
		"refresh_token": next,
		"expires_at":    exp,
	})
}

// authed wraps a handler that needs a valid Bearer access token. Failures
// are 401 with the registry's messages: "Token could not be deserialized"
// and "Outdated access token: please log in again" (the texts the catalog
// matches, catalog/app/utils/AWS/Credentials.jsx).
func (reg *Registry) authed(h func(http.ResponseWriter, *http.Request, string)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		scheme, tok, _ := strings.Cut(r.Header.Get("Authorization"), " ")
		if !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(tok) == "" {
			writeMessage(w, http.StatusUnauthorized, "Token could not be deserialized")
			return
		}
		tok = strings.TrimSpace(tok)
		if strings.HasPrefix(tok, APIKeyPrefix) {
			user, refusal := reg.apiKeyUser(tok)
			if refusal != "" {
				writeMessage(w, http.StatusUnauthorized, refusal)
				return
			}
			h(w, r, user)
			return
		}
		c, err := parseJWT(reg.jwtKey, tok, reg.now())
		if errors.Is(err, errOutdated) {
			writeMessage(w, http.StatusUnauthorized, "Outdated access token: please log in again")
			return
		}
		reg.mu.Lock()
		user, ok := reg.byID[c.ID]
		reg.mu.Unlock()
		if err != nil || !ok {
			writeMessage(w, http.StatusUnauthorized, "Token could not be deserialized")
			return
		}
		h(w, r, user)
	}
}

// serveCredentials issues AWS credentials for the user's current role.
func (reg *Registry) serveCredentials(w http.ResponseWriter, r *http.Request, user string) {
	st, _ := reg.state(user)
	cr := reg.keys.Issue(reg.caller(st))
	reg.log.Info("registry", "event", "Auth.GetCredentials", "user", user, "role", st.role)
	writeJSON(w, http.StatusOK, map[string]string{
		"AccessKeyId":     cr.AccessKeyID,
		"SecretAccessKey": cr.SecretAccessKey,
		"SessionToken":    cr.SessionToken,
		// RFC 3339 with a numeric offset, as the registry's Python writes it.
		"Expiration": cr.Expiration.UTC().Format("2006-01-02T15:04:05") + "+00:00",
	})
}

func (reg *Registry) serveMe(w http.ResponseWriter, r *http.Request, user string) {
	st, _ := reg.state(user)
	writeJSON(w, http.StatusOK, map[string]any{
		"current_user": st.user.Name,
		"email":        st.user.Email,
		"is_staff":     st.user.Admin,
		"is_active":    true,
	})
}

func (reg *Registry) serveCode(w http.ResponseWriter, r *http.Request, user string) {
	reg.log.Info("registry", "event", "Auth.IssueCode", "user", user)
	writeJSON(w, http.StatusOK, map[string]string{"code": reg.issueCode(user)})
}

type userKey struct{}

func (reg *Registry) serveGraphQL(w http.ResponseWriter, r *http.Request, user string, schema *gql.Schema) {
	var req gql.Request
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 1<<20))
	if err == nil {
		err = json.Unmarshal(body, &req)
	}
	if err != nil || req.Query == "" {
		writeJSON(w, http.StatusBadRequest, map[string]any{"errors": []gql.Error{{Message: "The request must be a JSON object with a \"query\" string."}}})
		return
	}
	ctx := context.WithValue(r.Context(), userKey{}, user)
	resp := gql.Execute(ctx, schema, req)
	status := http.StatusOK
	if !resp.Executed() {
		status = http.StatusBadRequest
	}
	reg.log.Info("registry", "event", "GraphQL", "user", user, "operation", req.OperationName, "errors", len(resp.Errors))
	writeJSON(w, status, resp)
}
