package results

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	tea "charm.land/bubbletea/v2"

	"github.com/quiltq/quiltq/engine"
	"github.com/quiltq/quiltq/ui/print"
)

// Rows streams a result: the engine's result stream (athena.Rows is one).
// Next returns io.EOF after the last row.
type Rows interface {
	Columns() []engine.Column
	Next() (engine.Row, error)
	Close() error
}

// PathRows is a stream that can say how its rows are fetched: via is
// "s3" (the result file) or "api" (GetQueryResults pages), and fallback
// why not the S3 file when it is not. The root puts it on the
// statistics line (Stats.FetchPath); a stream without it shows none.
type PathRows interface {
	Rows
	FetchPath() (via, fallback string)
}

// RowsMsg carries one batch of rows of query QueryID. Stream is where
// the rest comes from (nil once Done): the receiver asks for the next
// batch with Fetch, or closes it when the query is no longer shown.
type RowsMsg struct {
	QueryID string
	Rows    []engine.Row
	Stream  Rows
	Done    bool
	Err     error
}

// FirstBatch and Batch are the rows read before the grid is shown again:
// few at first, so that the first screen appears at once, then more.
const (
	FirstBatch = 200
	Batch      = 5000
)

// Fetch reads up to n rows of query id from stream. limit, when above
// zero, is the fetch limit: the stream is closed once limit rows (counted
// from already) are read, and the message says so.
func Fetch(id string, stream Rows, n int, already, limit int64) tea.Cmd {
	return func() tea.Msg {
		msg := RowsMsg{QueryID: id, Stream: stream}
		for i := 0; i < n; i++ {
			if limit > 0 && already+int64(i) >= limit {
				msg.Done, msg.Err = true, &LimitError{Limit: limit}
				break
			}
			r, err := stream.Next()
			if errors.Is(err, io.EOF) {
				msg.Done = true
				break
			}
			if err != nil {
				msg.Done, msg.Err = true, err
				break
			}
			msg.Rows = append(msg.Rows, r)
		}
		if msg.Done {
			stream.Close()
			msg.Stream = nil
		}
		return msg
	}
}

// LimitError says the fetch stopped at the fetch limit.
type LimitError struct{ Limit int64 }

func (e *LimitError) Error() string {
	return fmt.Sprintf("stopped at the fetch limit of %d rows; export (s) writes the whole result", e.Limit)
}

// ExportedMsg reports an export of query QueryID.
type ExportedMsg struct {
	QueryID string
	Path    string
	Rows    int64
	Err     error
}

// Opener opens the whole result of a query again, from its start.
type Opener func(ctx context.Context, queryID string) (Rows, error)

// Export writes the whole result of query id (not only the rows the grid
// holds, nor in the grid's sort or filter) to path, in the format its
// extension names (print.FormatOf: .csv, .tsv, .json, .jsonl, .ndjson,
// .parquet, .md; any other is refused before anything is read). It never
// overwrites a file, and a failed write leaves no file at path. A path
// starting ~/ is under the home directory, as a shell reads it; the
// message carries the path written.
func Export(ctx context.Context, open Opener, id, path string) tea.Cmd {
	return func() tea.Msg {
		path := expandHome(path)
		n, err := export(ctx, open, id, path)
		return ExportedMsg{QueryID: id, Path: path, Rows: n, Err: err}
	}
}

// expandHome reads a leading ~ (alone or before a separator) as the home
// directory, as a shell would have before quiltq saw the name; ~name and
// a ~ elsewhere are names like any other. Without a home directory the
// path is left as typed (and its error says where it looked).
func expandHome(path string) string {
	rest, ok := strings.CutPrefix(path, "~")
	if !ok || (rest != "" && !os.IsPathSeparator(rest[0])) {
		return path
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return path
	}
	return filepath.Join(home, rest)
}

func export(ctx context.Context, open Opener, id, path string) (int64, error) {
	if _, err := print.FormatOf(path); err != nil {
		return 0, err
	}
	rows, err := open(ctx, id)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	return print.WriteFile(path, rows)
}
