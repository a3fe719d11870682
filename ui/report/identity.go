package report

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/quiltq/quiltq/engine/session"
)

// Identity writes who the session acts as (`quiltq whoami`): one
// "name: value" line for each thing known, aligned.
func Identity(w io.Writer, id session.Identity) {
	row := func(k, v string) {
		if v != "" {
			fmt.Fprintf(w, "%-18s %s\n", k+":", v)
		}
	}
	if id.User != "" {
		row("user", id.User+" <"+id.Email+">")
	}
	row("role", id.Role)
	if len(id.Roles) > 0 {
		row("roles", strings.Join(id.Roles, ", "))
	}
	row("AWS principal", id.PrincipalARN)
	row("catalog", id.CatalogURL)
	if id.TokenExpiresAt != nil {
		row("token expires", id.TokenExpiresAt.Format(time.RFC3339))
	}
	row("credential source", id.CredentialDetail)
}

// LoggedIn writes what `quiltq login` did: who is logged in to which
// catalog, as which role and AWS principal, and where the login is kept.
func LoggedIn(w io.Writer, li session.LoggedIn) {
	fmt.Fprintf(w, "Logged in to %s as %s <%s>\n", li.CatalogURL, li.Name, li.Email)
	fmt.Fprintf(w, "  role:          %s\n", li.Role)
	fmt.Fprintf(w, "  AWS principal: %s\n", li.Principal)
	fmt.Fprintf(w, "  stored in:     %s\n", li.Where)
}
