// Package print writes query results for `quiltq -e` and other
// non-interactive uses: csv, tsv, json, jsonl, markdown and an aligned text
// table (Formats), and Apache Parquet files with the columns' types
// (parquet.go). Every format streams: a Writer holds at most one row (the
// table format, a bounded sample of rows; Parquet, one row group) however
// long the result, so a script can pipe millions of rows through quiltq
// in constant memory. WriteFile writes a result to a file named for its
// format (FormatOf), never over a file and never leaving half of one.
// JSON and JSONLine write the --json documents of quiltq's other commands
// (a listing, check's report, the settings).
//
// A Writer is used as Header, then Row for each row, then Close. It writes
// through a buffer; Close flushes it. The first write error is kept and
// returned by every later call, so a caller can check Close alone.
//
// NULL is kept apart from the empty string wherever the format can say so:
// JSON and Parquet write null, the table and markdown formats write a marker; csv and
// tsv write Options.NullString (see Options). Limits on the number of rows
// are the caller's business, not this package's.
package print

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/quiltq/quiltq/engine"
)

// Options tune a Writer. The zero value is a sensible default for every
// format.
type Options struct {
	// NoHeader leaves out the header line of csv, tsv and table output.
	// Markdown refuses it: a GitHub table without its header row is not a
	// table. JSON has no header to leave out and ignores it.
	NoHeader bool

	// NullString, when set, is how csv, tsv, markdown and table write SQL
	// NULL. When nil, csv and tsv write NULL as an empty field, which
	// cannot be told from an empty string; markdown and table write NULL.
	// When set, a csv value that equals it is quoted, so that a
	// quote-aware reader can still tell them apart (with "" this is the
	// convention of Athena's own result files: NULL unquoted, "" quoted).
	// JSON always writes null.
	NullString *string

	// MaxWidth caps the display width of a table cell, in terminal
	// columns; longer values end in "…". Zero means no cap. Other formats
	// never truncate.
	MaxWidth int

	// SampleRows is how many rows the table format reads before it fixes
	// its column widths (default 1000). Later values wider than their
	// column are truncated with "…".
	SampleRows int

	// Color lets the table format dim its NULL marker with an ANSI escape,
	// for terminals; the marker's width is unchanged.
	Color bool
}

// Writer writes one result set in one format.
type Writer interface {
	// Header starts the result with its columns; it must be called once,
	// before any Row.
	Header(cols []engine.Column) error
	// Row writes one row; it must have one value per column. The Writer
	// does not keep r (the table format copies the rows it samples).
	Row(r engine.Row) error
	// Close writes what the format needs at the end, flushes, and returns
	// the first error met. Further calls return the same error.
	Close() error
	// Rows reports how many rows have been accepted so far; after Close,
	// how many were written.
	Rows() int64
}

// Formats lists the text formats New accepts, in the order help should
// show them. New also takes "parquet", a binary file format offered for
// files (FormatOf) rather than for a terminal.
func Formats() []string {
	return []string{"csv", "tsv", "json", "jsonl", "markdown", "table"}
}

// New returns a Writer of the named format writing to w.
func New(format string, w io.Writer, opts Options) (Writer, error) {
	if opts.MaxWidth < 0 {
		return nil, fmt.Errorf("print: MaxWidth %d is negative", opts.MaxWidth)
	}
	if opts.SampleRows < 0 {
		return nil, fmt.Errorf("print: SampleRows %d is negative", opts.SampleRows)
	}
	b := base{w: bufio.NewWriterSize(w, 64<<10), opts: opts}
	switch strings.ToLower(format) {
	case "csv":
		return &delimited{base: b, tsv: false}, nil
	case "tsv":
		return &delimited{base: b, tsv: true}, nil
	case "json":
		return &jsonWriter{base: b, lines: false}, nil
	case "jsonl", "ndjson":
		return &jsonWriter{base: b, lines: true}, nil
	case "markdown", "md":
		if opts.NoHeader {
			return nil, errors.New("print: markdown tables need their header row; NoHeader is not supported")
		}
		return &markdown{base: b}, nil
	case "table":
		return newTable(b), nil
	case "parquet":
		return &parquetWriter{base: b}, nil
	}
	return nil, fmt.Errorf("print: unknown format %q (want one of %s)", format, strings.Join(Formats(), ", "))
}

// base is what every format shares: the buffered output, the sticky first
// error, the columns and the row count.
type base struct {
	w      *bufio.Writer
	opts   Options
	cols   []engine.Column
	header bool // Header was called
	closed bool
	rows   int64
	err    error
	buf    []byte // scratch, reused across rows so that rows do not allocate
}

func (b *base) Rows() int64 { return b.rows }

// startHeader checks the call order and records the columns.
func (b *base) startHeader(cols []engine.Column) error {
	switch {
	case b.err != nil:
		return b.err
	case b.closed:
		return errClosed
	case b.header:
		return errors.New("print: Header called twice")
	}
	b.header = true
	b.cols = append([]engine.Column(nil), cols...)
	return nil
}

// startRow checks the call order and the row's length.
func (b *base) startRow(r engine.Row) error {
	switch {
	case b.err != nil:
		return b.err
	case b.closed:
		return errClosed
	case !b.header:
		return errors.New("print: Row called before Header")
	case len(r) != len(b.cols):
		return fmt.Errorf("print: row has %d values, want %d (one per column)", len(r), len(b.cols))
	}
	return nil
}

// write sends p to the output, keeping the first error.
func (b *base) write(p []byte) error {
	if b.err != nil {
		return b.err
	}
	if _, err := b.w.Write(p); err != nil {
		b.err = err
	}
	return b.err
}

// finish flushes once and marks the writer closed.
func (b *base) finish() error {
	if b.closed {
		return b.err
	}
	b.closed = true
	if b.err == nil {
		b.err = b.w.Flush()
	}
	if b.err == nil {
		// Later calls to Row or Header must fail, and Close must keep
		// returning nil.
		return nil
	}
	return b.err
}

var errClosed = errors.New("print: writer is closed")

// nullText is how a text format writes NULL: NullString if set, else def.
func (b *base) nullText(def string) string {
	if b.opts.NullString != nil {
		return *b.opts.NullString
	}
	return def
}

// Source is a result read row by row: its columns, then its rows until
// io.EOF (the engine's result streams are Sources).
type Source interface {
	Columns() []engine.Column
	// Next returns io.EOF after the last row.
	Next() (engine.Row, error)
}

// Rows writes the rows of src in format, at most limit of them (0: all).
// It reports how many it wrote and whether rows were left unwritten.
func Rows(src Source, format string, o Options, limit int64, out io.Writer) (int64, bool, error) {
	w, err := New(format, out, o)
	if err != nil {
		return 0, false, err
	}
	if err := w.Header(src.Columns()); err != nil {
		return 0, false, err
	}
	var n int64
	truncated := false
	for {
		r, err := src.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			w.Close()
			return n, false, err
		}
		if limit > 0 && n == limit {
			truncated = true
			break
		}
		if err := w.Row(r); err != nil {
			return n, false, err
		}
		n++
	}
	return n, truncated, w.Close()
}
