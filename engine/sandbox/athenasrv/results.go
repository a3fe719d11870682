package athenasrv

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"github.com/quiltq/quiltq/engine"
	"github.com/quiltq/quiltq/engine/sandbox/sqlrun"
	"github.com/quiltq/quiltq/engine/sandbox/wire"
)

// resultWriter receives a query's result from the SQL engine and renders
// it as Athena's result CSV as the rows arrive: a header row, every value
// in double quotes with quotes doubled, NULL as an empty unquoted field,
// "\n" after each row.
type resultWriter struct {
	columns []engine.Column
	csv     bytes.Buffer
	rows    int64
}

var _ sqlrun.Output = (*resultWriter)(nil)

// Columns writes the header row.
func (w *resultWriter) Columns(cols []engine.Column) error {
	w.columns = cols
	for i, c := range cols {
		if i > 0 {
			w.csv.WriteByte(',')
		}
		writeQuoted(&w.csv, c.Name)
	}
	w.csv.WriteByte('\n')
	return nil
}

// Row writes one row.
func (w *resultWriter) Row(r engine.Row) error {
	for i, v := range r {
		if i > 0 {
			w.csv.WriteByte(',')
		}
		if !v.Null {
			writeQuoted(&w.csv, v.Text)
		}
	}
	w.csv.WriteByte('\n')
	w.rows++
	return nil
}

func writeQuoted(b *bytes.Buffer, s string) {
	b.WriteByte('"')
	for {
		i := strings.IndexByte(s, '"')
		if i < 0 {
			break
		}
		b.WriteString(s[:i+1])
		b.WriteByte('"')
		s = s[i+1:]
	}
	b.WriteString(s)
	b.WriteByte('"')
}

// field is one parsed CSV value; null is an empty unquoted field.
type field struct {
	text string
	null bool
}

// readRecord parses the CSV record at data[off:], returning its fields and
// the offset of the next record.
func readRecord(data []byte, off int) ([]field, int, error) {
	var rec []field
	i := off
	for {
		if i < len(data) && data[i] == '"' {
			i++
			start, quotes := i, false
			for {
				if i >= len(data) {
					return nil, 0, errors.New("unterminated quoted field")
				}
				if data[i] == '"' {
					if i+1 < len(data) && data[i+1] == '"' {
						quotes = true
						i += 2
						continue
					}
					break
				}
				i++
			}
			s := string(data[start:i])
			if quotes {
				s = strings.ReplaceAll(s, `""`, `"`)
			}
			rec = append(rec, field{text: s})
			i++
		} else {
			j := i
			for j < len(data) && data[j] != ',' && data[j] != '\n' {
				j++
			}
			rec = append(rec, field{text: string(data[i:j]), null: j == i})
			i = j
		}
		switch {
		case i >= len(data):
			return rec, i, nil
		case data[i] == ',':
			i++
		case data[i] == '\n':
			return rec, i + 1, nil
		default:
			return nil, 0, fmt.Errorf("unexpected %q after a quoted field", data[i])
		}
	}
}

// toText turns result CSV into Athena's text result: the rows without the
// header, values separated by tabs, one line each.
func toText(csv []byte) ([]byte, error) {
	var out bytes.Buffer
	_, off, err := readRecord(csv, 0)
	for err == nil && off < len(csv) {
		var rec []field
		rec, off, err = readRecord(csv, off)
		for i, f := range rec {
			if i > 0 {
				out.WriteByte('\t')
			}
			out.WriteString(f.text)
		}
		out.WriteByte('\n')
	}
	return out.Bytes(), err
}

// writeResults stores x's result and its metadata at the output location,
// as the caller: Athena writes results with the caller's credentials.
func (s *Service) writeResults(x *execution, w *resultWriter) *failure {
	s.mu.Lock()
	key, text := x.resultKey(), x.text
	s.mu.Unlock()
	data := w.csv.Bytes()
	if text {
		var err error
		if data, err = toText(data); err != nil {
			return &failure{category: sqlrun.CategorySystem, typ: 200, reason: "GENERIC_INTERNAL_ERROR: " + err.Error()}
		}
	}
	put := func(key string, data []byte, contentType string, typ int) *failure {
		url := "s3://" + x.bucket + "/" + key
		if s.cfg.Authz.Authorize(x.caller, "s3:PutObject", "arn:aws:s3:::"+x.bucket+"/"+key, viaAthena()) != nil || s.resultKeyDenied(x, "kms:GenerateDataKey") != nil {
			return &failure{category: sqlrun.CategoryUser, typ: typ, reason: "Access denied when writing output to url: " + url +
				" . Please ensure you are allowed to access the S3 bucket. If you are encrypting query results with KMS key, please ensure you are allowed to access your KMS key"}
		}
		if _, err := s.cfg.Store.Put(x.bucket, key, data, contentType); err != nil {
			return &failure{category: sqlrun.CategoryUser, typ: 1306, reason: "Unable to verify/create output bucket " + x.bucket}
		}
		return nil
	}
	contentType := "text/csv"
	if text {
		contentType = "text/plain"
	}
	if f := put(key, data, contentType, 401); f != nil {
		return f
	}
	// 238 is Athena's "failed to upload metadata to Amazon S3".
	if f := put(key+".metadata", resultMetadata(x.submitted, w.columns), "application/octet-stream", 238); f != nil {
		return f
	}
	s.mu.Lock()
	x.resultsWritten = true
	x.outputRows, x.outputBytes = w.rows, int64(len(data))
	s.mu.Unlock()
	return nil
}

// columnInfoOf describes a result column as GetQueryResults does: the
// type's Athena name, with the length or precision and scale apart.
func columnInfoOf(c engine.Column) columnInfo {
	d := sqlrun.DescribeColumn(c.Type)
	return columnInfo{
		CatalogName: "hive", Name: c.Name, Label: c.Name, Type: d.Type, Nullable: "UNKNOWN",
		Precision: d.Precision, Scale: d.Scale, CaseSensitive: d.CaseSensitive,
	}
}

// resultMetadata is the <id>.csv.metadata stand-in (see the package
// comment): a protocol-buffers message with an engine query id and one
// column message per column.
func resultMetadata(submitted time.Time, cols []engine.Column) []byte {
	var b []byte
	b = pbString(b, 1, engineQueryID(submitted))
	for _, c := range cols {
		ci := columnInfoOf(c)
		var m []byte
		m = pbString(m, 1, ci.CatalogName)
		m = pbString(m, 2, ci.SchemaName)
		m = pbString(m, 3, ci.TableName)
		m = pbString(m, 4, ci.Name)
		m = pbString(m, 5, ci.Label)
		m = pbString(m, 6, ci.Type)
		m = pbVarint(m, 7, uint64(ci.Precision))
		m = pbVarint(m, 8, uint64(ci.Scale))
		m = pbVarint(m, 9, 3) // UNKNOWN, the only value observed
		if ci.CaseSensitive {
			m = pbVarint(m, 10, 1)
		}
		b = pbBytes(b, 4, m)
	}
	return b
}

// engineQueryID is shaped like the query ids of Athena's engine
// (20190423_125128_00001_ehtur).
func engineQueryID(t time.Time) string {
	const letters = "abcdefghijklmnopqrstuvwxyz"
	suffix := make([]byte, 5)
	for i := range suffix {
		suffix[i] = letters[rand.IntN(len(letters))]
	}
	return t.UTC().Format("20060102_150405") + "_00001_" + string(suffix)
}

func pbKey(b []byte, field, wireType int) []byte {
	return appendUvarint(b, uint64(field<<3|wireType))
}

func appendUvarint(b []byte, v uint64) []byte {
	for v >= 0x80 {
		b = append(b, byte(v)|0x80)
		v >>= 7
	}
	return append(b, byte(v))
}

// pbString and pbVarint leave out empty values, as proto3 does.
func pbString(b []byte, field int, s string) []byte {
	if s == "" {
		return b
	}
	return pbBytes(b, field, []byte(s))
}

func pbBytes(b []byte, field int, v []byte) []byte {
	b = pbKey(b, field, 2)
	b = appendUvarint(b, uint64(len(v)))
	return append(b, v...)
}

func pbVarint(b []byte, field int, v uint64) []byte {
	if v == 0 {
		return b
	}
	return appendUvarint(pbKey(b, field, 0), v)
}

// Result pages are tokens holding the query id and the byte offset of the
// next row in the result object, so that a page costs only its own rows.
func encodeOffset(id string, off int) string {
	return base64.RawURLEncoding.EncodeToString([]byte("r:" + id + ":" + strconv.Itoa(off)))
}

func decodeOffset(tok, id string) (int, *wire.Error) {
	if tok == "" {
		return 0, nil
	}
	b, err := base64.RawURLEncoding.DecodeString(tok)
	rest, ok := strings.CutPrefix(string(b), "r:"+id+":")
	n, perr := strconv.Atoi(rest)
	if err != nil || !ok || perr != nil || n < 0 {
		return 0, invalid("INVALID_INPUT", "Invalid NextToken")
	}
	return n, nil
}

func (q *call) getQueryResults() (any, *wire.Error) {
	if q.in.QueryExecutionID == "" {
		return nil, required("queryExecutionId")
	}
	size, werr := q.pageSize(1, 1000)
	if werr != nil {
		return nil, werr
	}
	s := q.svc
	x := s.lookup(q.in.QueryExecutionID)
	if x == nil {
		return nil, notFoundExecution(q.in.QueryExecutionID)
	}
	if werr := q.authorize("athena:GetQueryResults", workgroupARN(q.st(), x.workgroup)); werr != nil {
		return nil, werr
	}
	s.mu.Lock()
	state, written, key, text, reason := x.state, x.resultsWritten, x.resultKey(), x.text, x.reason
	cols, updateCount := x.columns, x.updateCount
	s.mu.Unlock()
	switch {
	case state == stateQueued || state == stateRunning:
		return nil, invalid("INVALID_INPUT", "Query has not yet finished. Current state: "+state)
	case state != stateSucceeded || !written:
		msg := "Query did not finish successfully. Final query state: " + state
		if reason != "" {
			msg += "\n" + reason
		}
		return nil, invalid("INVALID_INPUT", msg)
	}
	off, werr := decodeOffset(q.in.NextToken, x.id)
	if werr != nil {
		return nil, werr
	}
	// Athena reads the result object with the caller's credentials.
	noAccess := invalid("", "You do not seem to have access to the S3 location of your query results. Please confirm your account has access to the S3 location where your query results are saved and try again. If specifying an expected bucket owner, confirm the bucket is owned by the expected account. If you are using KMS to encrypt query results, please ensure you have permission to access your KMS key. If you continue to see this issue, please contact customer support.")
	if q.authz().Authorize(q.caller, "s3:GetObject", "arn:aws:s3:::"+x.bucket+"/"+key, viaAthena()) != nil || s.resultKeyDenied(x, "kms:Decrypt") != nil {
		return nil, noAccess
	}
	obj, err := s.cfg.Store.Get(x.bucket, key)
	if err != nil {
		return nil, noAccess
	}
	data := obj.Data
	if off > len(data) {
		return nil, invalid("INVALID_INPUT", "Invalid NextToken")
	}
	type output struct {
		ResultSet   resultSet `json:"ResultSet"`
		UpdateCount int64     `json:"UpdateCount"`
		NextToken   string    `json:"NextToken,omitempty"`
	}
	out := output{UpdateCount: updateCount}
	out.ResultSet.Rows = []row{}
	out.ResultSet.ResultSetMetadata.ColumnInfo = make([]columnInfo, len(cols))
	for i, c := range cols {
		out.ResultSet.ResultSetMetadata.ColumnInfo[i] = columnInfoOf(c)
	}
	for len(out.ResultSet.Rows) < size && off < len(data) {
		var r row
		if text {
			line, rest, _ := bytes.Cut(data[off:], []byte("\n"))
			off = len(data) - len(rest)
			values := []string{string(line)}
			if len(cols) > 1 {
				values = strings.SplitN(string(line), "\t", len(cols))
			}
			for _, v := range values {
				r.Data = append(r.Data, datum{VarCharValue: &v})
			}
		} else {
			rec, next, err := readRecord(data, off)
			if err != nil {
				return nil, wire.NewError(500, "InternalServerException", "sandbox: the result object is not Athena CSV: "+err.Error())
			}
			off = next
			r.Data = make([]datum, len(rec))
			for i, f := range rec {
				if !f.null {
					r.Data[i].VarCharValue = &f.text
				}
			}
		}
		out.ResultSet.Rows = append(out.ResultSet.Rows, r)
	}
	if off < len(data) {
		out.NextToken = encodeOffset(x.id, off)
	}
	return out, nil
}
