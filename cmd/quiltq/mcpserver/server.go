// Package mcpserver is quiltq's Model Context Protocol front end: the
// tools and resources `quiltq mcp` serves to AI agents over stdio or
// streamable HTTP, on the official Go SDK
// (github.com/modelcontextprotocol/go-sdk).
//
// It holds no logic of its own beyond shaping: every decision (may this
// SQL be sent, what fixes a refusal, what the user may see) is the
// session's (engine/session), so an agent is told exactly what `quiltq
// -e` and the workbench would tell a person. One Server serves one
// session, whichever transport and however many clients connect.
//
// It never writes to stdout (the stdio transport owns it) and never puts
// a secret in a tool result or a log message: results carry principals,
// ARNs, query IDs and SQL, never tokens or keys.
package mcpserver

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/quiltq/quiltq/engine/session"
)

// Options say how to build a Server.
type Options struct {
	// Version is quiltq's version, sent to clients as the server's.
	Version string
	// CanApplyFix registers the sandbox_apply_fix tool: only for a
	// session whose role quiltq may change (the embedded sandbox's).
	CanApplyFix bool
	// Log receives the server's own diagnostics (stderr for `quiltq
	// mcp`); nil drops them. Clients get log messages of their own over
	// the protocol (notifications/message).
	Log *slog.Logger
}

// Server is the MCP server over one session.
type Server struct {
	sess *session.Session
	opts Options
	mcp  *mcp.Server

	// refreshes are background refreshes of the cached listing still
	// running, calls the athena_query calls under way; Close waits for
	// them.
	refreshes, calls sync.WaitGroup
}

// instructions are what a client may put in the model's context about the
// server as a whole.
const instructions = `quiltq runs SQL on Amazon Athena behind a Quilt data catalog, as the logged-in user.
Before sending a query it checks every table against the user's grants; when something is refused
(before sending or by AWS) the tool result is an error whose structured content names the missing IAM
actions, the resources, the principal, the policy type, who must act, and the one policy statement that
fixes the whole query. Do not retry a refused query unchanged: show the user the statement and who must
add it. Start with catalogs_list / tables_list (Tabulator tables live in the data catalog whose name ends
in -tabulator), table_describe for columns, athena_check to test SQL without running it, then athena_query.`

// New builds the server's tools and resources over sess.
func New(sess *session.Session, opts Options) *Server {
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	version := opts.Version
	if version == "" {
		version = "dev"
	}
	s := &Server{sess: sess, opts: opts}
	s.mcp = mcp.NewServer(&mcp.Implementation{Name: "quiltq", Title: "quiltq: Athena and Tabulator behind Quilt", Version: version},
		&mcp.ServerOptions{Instructions: instructions, Logger: opts.Log})
	s.addQueryTools()
	s.addCheckTools()
	s.addBrowseTools()
	s.addResources()
	return s
}

// MCP is the SDK's server, for a transport to run: Run for stdio, a
// StreamableHTTPHandler for HTTP.
func (s *Server) MCP() *mcp.Server { return s.mcp }

// HTTPHandler serves the streamable HTTP transport, every client on the
// one session. The SDK refuses requests that reach a loopback listener
// with another Host (DNS rebinding), and cross-origin browser requests are
// refused too: a web page must not drive the user's login.
func (s *Server) HTTPHandler() http.Handler {
	// A client of protocol 2026-07-28 cancels a call by dropping its POST:
	// that must stop the query too.
	h := mcp.NewStreamableHTTPHandler(func(*http.Request) *mcp.Server { return s.mcp }, &mcp.StreamableHTTPOptions{Logger: s.opts.Log, PropagateRequestCancellation: true})
	return http.NewCrossOriginProtection().Handler(h)
}

// Close waits for background work and stops on Athena every query a
// tool call left running (a client that went away mid-query), returning
// their IDs.
func (s *Server) Close(ctx context.Context) []string {
	// A call whose client went away is stopping its query (its context
	// ended with the connection): give it the time a stop takes.
	done := make(chan struct{})
	go func() { s.calls.Wait(); s.refreshes.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(closeWait):
	case <-ctx.Done():
	}
	return s.sess.StopLive(ctx)
}

// closeWait bounds how long Close waits for calls under way.
const closeWait = 20 * time.Second

// logTo sends a log message to the client of req (when it asked for
// messages at that level, as the protocol has it) and to the server's own
// log. Messages name queries and states, never credentials.
func (s *Server) logTo(ctx context.Context, ss *mcp.ServerSession, level slog.Level, msg string, args ...any) {
	text := fmt.Sprintf(msg, args...)
	s.opts.Log.Log(ctx, level, text)
	if ss == nil {
		return
	}
	lvl := mcp.LoggingLevel("info")
	switch {
	case level >= slog.LevelError:
		lvl = "error"
	case level >= slog.LevelWarn:
		lvl = "warning"
	case level < slog.LevelInfo:
		lvl = "debug"
	}
	// The logging utility is deprecated from protocol 2026-07-28 on but
	// still served; clients of earlier versions (most today) use it.
	_ = ss.Log(ctx, &mcp.LoggingMessageParams{Level: lvl, Logger: "quiltq", Data: text})
}

// failure is err as a tool error: its text and the one-line next step
// quiltq gives people, so that the model can say what to do.
func failure(err error) error {
	err = session.CredentialsCause(err)
	if hint := session.NextStep(err); hint != "" {
		return fmt.Errorf("%w (next: %s)", err, hint)
	}
	return err
}
