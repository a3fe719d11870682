package registry

import (
	"encoding/json"
	"html/template"
	"net/http"
	"strings"
	"sync"
)

// CatalogHandler serves the catalog: GET /config.json and the login-code
// page GET /code. Every other path is 404.
func (reg *Registry) CatalogHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /config.json", reg.serveConfig)
	mux.HandleFunc("GET /code", reg.serveCodePage)
	return mux
}

// serveConfig writes config.json with the keys catalog/config-schema.json
// requires (and analyticsBucket, from which clients guess the stack
// name). The sandbox runs no API Gateway and no S3 proxy, so those two
// addresses are empty.
func (reg *Registry) serveConfig(w http.ResponseWriter, r *http.Request) {
	st := reg.stack
	analytics := st.AnalyticsBucket
	if analytics == "" {
		// The "<stack>-analyticsbucket-<random>" shape real stacks have.
		analytics = st.Name + "-analyticsbucket-sandbox"
	}
	version := st.StackVersion
	if version == "" {
		version = "1.70.0"
	}
	cfg := map[string]any{
		"alwaysRequiresAuth": true,
		"analyticsBucket":    analytics,
		"apiGatewayEndpoint": "",
		"mixpanelToken":      "",
		"mode":               "PRODUCT",
		"noDownload":         false,
		"passwordAuth":       "DISABLED",
		"region":             st.Region,
		"registryUrl":        registryURL(r),
		"s3Proxy":            "",
		"serviceBucket":      st.Name + "-servicebucket-sandbox",
		"ssoAuth":            "DISABLED",
		"ssoProviders":       "",
		"stackVersion":       version,
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(cfg)
}

// codePage is parsed on first use, not at start-up: every quiltq run links
// the sandbox in, and `quiltq --version` has a start-up budget.
var codePage = sync.OnceValue(func() *template.Template {
	return template.Must(template.New("code").Parse(`<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>Quilt sandbox login code</title></head>
<body>
{{if .User}}<h1>Login code for {{.User}}</h1>
<p>Paste this code where your client asks for it. It works once it has been exchanged; keep it secret.</p>
<pre><code id="code">{{.Code}}</code></pre>
<p><a href="/code">Other users</a></p>
{{else}}<h1>Quilt sandbox</h1>
<p>The sandbox has no browser session: choose the user to log in as.</p>
<ul id="users">
{{range .Users}}<li><a href="/code?user={{.Name}}">{{.Name}}</a> ({{.Email}}, role {{.Role}})</li>
{{end}}</ul>
{{end}}</body></html>
`))
})

// serveCodePage shows a fresh login code for ?user= (a name or an email),
// or lists the users when none is given.
func (reg *Registry) serveCodePage(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	name := strings.TrimSpace(r.URL.Query().Get("user"))
	if name == "" {
		_ = codePage().Execute(w, map[string]any{"Users": reg.stack.Users})
		return
	}
	u, ok := reg.stack.User(name)
	if !ok {
		w.WriteHeader(http.StatusNotFound)
		_ = codePage().Execute(w, map[string]any{"Users": reg.stack.Users})
		return
	}
	code := reg.issueCode(u.Name)
	reg.log.Info("registry", "event", "Auth.IssueCode", "user", u.Name)
	_ = codePage().Execute(w, map[string]any{"User": u.Name, "Code": code})
}
