package athena

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/aws/smithy-go"

	"github.com/quiltq/quiltq/engine"
)

// Results streams the rows of x, a SUCCEEDED query. It reads the result
// file from S3 with parallel ranged GETs when the caller may
// (Options.S3Concurrency and S3PartSize bound the memory it takes), and
// GetQueryResults pages otherwise: when S3 refuses the read, when the
// result has no OutputLocation, or when Options.NoS3 is set. Rows.Path
// says which, and why.
//
// CSV results (SELECT) have the columns Athena reports; text results
// (SHOW, DESCRIBE and other DDL and utility statements) have one column,
// one row per line. ctx governs the whole stream, not only this call.
func (c *Client) Results(ctx context.Context, x Execution) (Rows, error) {
	op := "results of query " + x.ID
	if x.State != Succeeded {
		return nil, &engine.Error{Op: op, Kind: engine.Invalid, Err: fmt.Errorf("the query is %s, not SUCCEEDED", x.State)}
	}
	text := isTextResult(x)
	var fallback string
	var refused error
	switch {
	case c.opts.NoS3:
		fallback = "S3 reads are turned off (NoS3)"
	case x.OutputLocation == "":
		fallback = "the result is not in S3 (the query has no OutputLocation)"
	default:
		obj, err := parseS3URL(x.OutputLocation)
		if err != nil {
			return nil, &engine.Error{Op: op, Kind: engine.Invalid, Err: err}
		}
		rows, err := c.s3Results(ctx, x, obj, text)
		if err == nil {
			return rows, nil
		}
		if engine.KindOf(err) != engine.Denied {
			return nil, err
		}
		refused = err
		fallback = "S3 refused s3:GetObject on " + obj.String()
	}
	rows, err := c.apiResults(ctx, x, text, fallback)
	if err != nil && refused != nil {
		obj, _ := parseS3URL(x.OutputLocation)
		if engine.KindOf(err) != engine.Denied {
			return nil, &engine.Error{Op: op, Kind: engine.KindOf(err), Err: fmt.Errorf(
				"S3 refused s3:GetObject on %s, and the fallback to GetQueryResults failed: %w", obj, err)}
		}
		return nil, &engine.Error{Op: op, Kind: engine.Denied, Err: fmt.Errorf(
			"you may not read the result file: S3 refused s3:GetObject on %s, and GetQueryResults failed too, "+
				"because Athena reads that same file with your credentials; ask your AWS administrator to allow "+
				"s3:GetObject on %s.\nS3: %v\nAthena: %w", obj, obj.prefixARN(), refused, err)}
	}
	return rows, err
}

// isTextResult tells a text result (one line a row, no header) from a CSV
// one: by the result file's name when there is one, by the statement type
// otherwise.
func isTextResult(x Execution) bool {
	switch {
	case strings.HasSuffix(x.OutputLocation, ".txt"):
		return true
	case strings.HasSuffix(x.OutputLocation, ".csv"):
		return false
	}
	return x.StatementType == "DDL" || x.StatementType == "UTILITY"
}

// s3Results opens the result file. It reads the first record before it
// returns, so that a refusal of the first GET still leads to the fallback.
func (c *Client) s3Results(ctx context.Context, x Execution, obj s3Object, text bool) (Rows, error) {
	body := c.newPartReader(ctx, obj)
	r := &s3Rows{body: body, obj: obj, path: FetchPath{Via: "s3"}}
	var first []string
	if text {
		r.lines = bufio.NewReaderSize(body, 64<<10)
		line, err := r.readLine()
		switch {
		case err == io.EOF:
			r.eof = true
		case err != nil:
			body.Close()
			return nil, err
		default:
			r.peeked = &line
		}
	} else {
		r.csv = newCSVReader(body)
		header, err := r.csv.Read()
		if err == io.EOF {
			err = &engine.Error{Op: "reading " + obj.String(), Kind: engine.Invalid, Err: errors.New("the result file is empty: no header row")}
		}
		if err != nil {
			body.Close()
			return nil, r.wrap(err)
		}
		for _, v := range header {
			first = append(first, v.Text)
		}
	}
	r.cols = c.resultColumns(ctx, x, obj, first, text)
	return r, nil
}

// resultColumns finds the columns of an S3 result: from the metadata file
// when it is readable and agrees with the header, else from GetQueryResults'
// ColumnInfo, else (both unavailable) the header's names with no type.
func (c *Client) resultColumns(ctx context.Context, x Execution, obj s3Object, header []string, text bool) []engine.Column {
	agrees := func(cols []engine.Column) bool {
		if text {
			return len(cols) > 0
		}
		if len(cols) != len(header) {
			return false
		}
		for i, col := range cols {
			if col.Name != header[i] {
				return false
			}
		}
		return true
	}
	var cols []engine.Column
	if b, err := c.getSmall(ctx, s3Object{obj.Bucket, obj.Key + ".metadata"}, maxMetadataSize); err == nil {
		cols, err = parseResultMetadata(b)
		if err != nil || !agrees(cols) {
			cols = nil
		}
	}
	if cols == nil {
		if page, err := c.resultsPage(ctx, x.ID, nil, 1); err == nil {
			cols = resultSetColumns(page.ResultSet)
			if !agrees(cols) {
				cols = nil
			}
		}
	}
	if text {
		return textColumn(cols)
	}
	if cols == nil {
		for _, h := range header {
			cols = append(cols, engine.Column{Name: h})
		}
	}
	return cols
}

// textColumn is the one column of a text result: the column Athena names
// when it names one, else the names it gives joined by tabs, as its lines
// join their values.
func textColumn(cols []engine.Column) []engine.Column {
	switch len(cols) {
	case 0:
		return []engine.Column{{Name: "result", Type: "varchar"}}
	case 1:
		return cols
	}
	names := make([]string, len(cols))
	for i, col := range cols {
		names[i] = col.Name
	}
	return []engine.Column{{Name: strings.Join(names, "\t"), Type: "varchar"}}
}

// s3Rows streams a result file read from S3.
type s3Rows struct {
	body *partReader
	obj  s3Object
	cols []engine.Column
	path FetchPath

	csv    *csvReader    // CSV results
	lines  *bufio.Reader // text results
	peeked *string       // a text line read ahead
	eof    bool
	err    error
}

func (r *s3Rows) Columns() []engine.Column { return r.cols }
func (r *s3Rows) Path() FetchPath          { return r.path }
func (r *s3Rows) Close() error             { return r.body.Close() }

func (r *s3Rows) Next() (engine.Row, error) {
	if r.err != nil {
		return nil, r.err
	}
	row, err := r.next()
	if err != nil {
		r.err = err
		return nil, err
	}
	return row, nil
}

func (r *s3Rows) next() (engine.Row, error) {
	if r.lines != nil {
		if r.peeked != nil {
			line := *r.peeked
			r.peeked = nil
			return engine.Row{{Text: line}}, nil
		}
		if r.eof {
			return nil, io.EOF
		}
		line, err := r.readLine()
		if err != nil {
			return nil, err
		}
		return engine.Row{{Text: line}}, nil
	}
	row, err := r.csv.Read()
	if err != nil {
		return nil, r.wrap(err)
	}
	if len(row) != len(r.cols) {
		return nil, r.wrap(&CSVError{Line: r.csv.recLine, Offset: r.csv.recOff,
			Msg: fmt.Sprintf("a row of %d values, want %d", len(row), len(r.cols))})
	}
	return row, nil
}

// readLine reads one line of a text result, without its LF or CRLF.
func (r *s3Rows) readLine() (string, error) {
	line, err := r.lines.ReadString('\n')
	switch {
	case err == io.EOF && line == "":
		return "", io.EOF
	case err != nil && err != io.EOF:
		return "", err
	}
	line = strings.TrimSuffix(line, "\n")
	return strings.TrimSuffix(line, "\r"), nil
}

// wrap names the file in a CSV error; fetch errors already do.
func (r *s3Rows) wrap(err error) error {
	var ce *CSVError
	if errors.As(err, &ce) {
		return &engine.Error{Op: "reading " + r.obj.String(), Kind: engine.Invalid, Err: err}
	}
	return err
}

// Errors and retries of the result fetch.

// resultErr makes an engine.Error of an error met while fetching results,
// by translate's rules, but for one text: Athena refuses GetQueryResults
// with an InvalidRequestException when the caller may not read the result
// file, and that is a refusal (Denied), not a bad request.
func resultErr(op string, err error) error {
	err = translate(op, err)
	var ee *engine.Error
	if errors.As(err, &ee) && ee.Kind == engine.Invalid && strings.Contains(err.Error(), athenaNoS3Access) {
		ee.Kind = engine.Denied
	}
	return err
}

// athenaNoS3Access is how Athena words a GetQueryResults refused because
// the caller may not read the result file.
const athenaNoS3Access = "do not seem to have access to the S3 location of your query results"

// fetchRetryable reports whether trying a failed request again may work:
// what transient says (throttling, 5xx, broken connections), and replies
// that broke off, whether in a body the caller reads (which the SDK's
// retryer never sees: it has returned by then) or in one the SDK decodes.
func fetchRetryable(err error) bool {
	if errors.Is(err, errChanged) || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) || givenUp(err) {
		return false
	}
	var be bodyError
	var de *smithy.DeserializationError
	if errors.As(err, &be) || errors.As(err, &de) || errors.Is(err, io.ErrUnexpectedEOF) {
		return true
	}
	return transient(err)
}

// fetchPause waits before retry number attempt: exponential backoff from
// 100 ms to 5 s, with jitter so that parallel parts do not retry in step.
func (c *Client) fetchPause(ctx context.Context, attempt int) error {
	d := 100 * time.Millisecond << min(attempt-1, 6)
	d = min(d, 5*time.Second)
	d = d/2 + rand.N(d/2+1)
	return c.opts.Sleep(ctx, d)
}

// ResultFile opens a SUCCEEDED query's CSV result file in S3 as a raw byte
// stream, with the same guarantees as Results' S3 path (parallel ranged
// GETs, resumed where a body broke off, the ETag checked, never a short
// read). It is for callers that can pass Athena's CSV through unchanged:
// quiltq -e writes CSV in Athena's own style, so it copies these bytes
// instead of parsing and formatting every value. The error is of Kind
// Denied when S3 refuses the read and Invalid when there is no CSV result
// file to read; either way, Results still works.
func (c *Client) ResultFile(ctx context.Context, x Execution) (io.ReadCloser, error) {
	op := "result file of query " + x.ID
	switch {
	case x.State != Succeeded:
		return nil, &engine.Error{Op: op, Kind: engine.Invalid, Err: fmt.Errorf("the query is %s, not SUCCEEDED", x.State)}
	case c.opts.NoS3:
		return nil, &engine.Error{Op: op, Kind: engine.Invalid, Err: errors.New("S3 reads are turned off (NoS3)")}
	case x.OutputLocation == "" || isTextResult(x):
		return nil, &engine.Error{Op: op, Kind: engine.Invalid, Err: errors.New("the result is not a CSV file in S3")}
	}
	obj, err := parseS3URL(x.OutputLocation)
	if err != nil {
		return nil, &engine.Error{Op: op, Kind: engine.Invalid, Err: err}
	}
	body := c.newPartReader(ctx, obj)
	// Read ahead before returning, so that a refused first GET is the
	// caller's cue to fall back rather than an error mid-output.
	buf := bufio.NewReaderSize(body, 64<<10)
	if _, err := buf.Peek(1); err != nil && err != io.EOF {
		body.Close()
		return nil, err
	}
	return resultFile{Reader: buf, body: body}, nil
}

// resultFile is a buffered result file that closes its part reader.
type resultFile struct {
	*bufio.Reader
	body *partReader
}

func (f resultFile) Close() error { return f.body.Close() }
