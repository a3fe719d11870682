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
