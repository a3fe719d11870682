package session_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/quiltq/quiltq/auth"
	"github.com/quiltq/quiltq/config"
	"github.com/quiltq/quiltq/engine/sandbox"
	"github.com/quiltq/quiltq/engine/session"
)

// A front end with no terminal (an MCP server, a test) drives a session
// headless: here against the embedded sandbox, whose analyst may not read
// the sales tables (refused before anything is sent, with the statement
// that fixes the whole query) and whose admin may.
func Example() {
	ctx := context.Background()
	scratch, _ := os.MkdirTemp("", "quiltq-example-")
	defer os.RemoveAll(scratch)
	run, err := sandbox.Start("127.0.0.1:0", sandbox.Options{ScratchDir: scratch})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer run.Close()
	// No config file and no cache: the environment names none.
	getenv := func(string) string { return "" }
	settings, err := config.Load(getenv, "")
	if err != nil {
		fmt.Println(err)
		return
	}
	as := func(name string) *session.Session {
		for _, u := range run.Info.Users {
			if u.Name != name {
				continue
			}
			s, err := session.Open(ctx, session.Options{
				Settings: settings, Getenv: getenv,
				Login:    &session.TokenLogin{CatalogURL: run.Info.CatalogURL, RefreshToken: u.RefreshToken, AWSEndpointURL: run.Info.AWSEndpointURL, Source: auth.SourceSandbox},
				Policies: &session.Policies{Documents: run.Authorizer().Policies(u.Role), Role: u.Role, Source: "the sandbox's role " + u.Role},
			})
			if err != nil {
				fmt.Println(err)
				return nil
			}
			return s
		}
		return nil
	}
	stmt := session.Statement{SQL: "SELECT count(*) AS n FROM sales.orders"}

	_, err = as("analyst").Check(ctx, stmt)
	var refusal *session.Refusal
	if errors.As(err, &refusal) {
		fmt.Println("analyst: missing", session.ActionsOf(refusal.Gaps))
		fmt.Println("analyst: the fix allows glue:GetTable:", refusal.Fix.Policy != nil && strings.Contains(refusal.Fix.Policy.JSON(), `"glue:GetTable"`))
	}

	admin := as("admin")
	if _, err := admin.Check(ctx, stmt); err != nil {
		fmt.Println(err)
		return
	}
	x, err := admin.Run(ctx, stmt, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	rows, err := admin.Results(ctx, x)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer rows.Close()
	row, _ := rows.Next()
	fmt.Println("admin:", x.State, rows.Columns()[0].Name, "=", row[0].Text)
	// Output:
	// analyst: missing [glue:BatchGetPartition glue:GetDatabase glue:GetPartition glue:GetPartitions glue:GetTable]
	// analyst: the fix allows glue:GetTable: true
	// admin: SUCCEEDED n = 4200
}
