package mcpserver

import (
	"context"
	"io"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/quiltq/quiltq/engine/session"
)

// BenchmarkQuery measures what the MCP layer adds to a query: the same
// 100-row query through athena_query (the check, start, wait, rows as
// JSON and a text table, over the in-memory transport), and through the
// session directly (check, run, read the rows), its peer.
func BenchmarkQuery(b *testing.B) {
	const sql = "SELECT * FROM sales.orders LIMIT 100"
	f := start(b, "admin", setup{})
	ctx := context.Background()
	b.Run("athena_query", func(b *testing.B) {
		for b.Loop() {
			res, err := f.client.CallTool(ctx, &mcp.CallToolParams{Name: "athena_query", Arguments: map[string]any{"sql": sql}})
			if err != nil || res.IsError {
				b.Fatalf("athena_query: %v %v", err, res)
			}
		}
	})
	b.Run("session", func(b *testing.B) {
		for b.Loop() {
			stmt := session.Statement{SQL: sql}
			if _, err := f.sess.Check(ctx, stmt); err != nil {
				b.Fatal(err)
			}
			x, err := f.sess.Run(ctx, stmt, nil)
			if err != nil {
				b.Fatal(err)
			}
			rows, err := f.sess.Results(ctx, x)
			if err != nil {
				b.Fatal(err)
			}
			n := 0
			for {
				if _, err := rows.Next(); err == io.EOF {
					break
				} else if err != nil {
					b.Fatal(err)
				}
				n++
			}
			rows.Close()
			if n != 100 {
				b.Fatalf("%d rows, want 100", n)
			}
		}
	})
}
