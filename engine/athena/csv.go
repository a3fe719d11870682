package athena

import (
	"bytes"
	"fmt"
	"io"

	"github.com/quiltq/quiltq/engine"
)

// CSVError reports result CSV that does not parse: where, and what is wrong.
type CSVError struct {
	Line   int64 // 1-based line of the file where the fault is
	Offset int64 // byte offset of the fault in the file
	Msg    string
}

// Error says where the file is malformed and how.
func (e *CSVError) Error() string {
	return fmt.Sprintf("result CSV, line %d (byte %d): %s", e.Line, e.Offset, e.Msg)
}

// csvReader streams Athena's result CSV. Athena quotes every value and
// writes NULL as an empty unquoted field, so the reader keeps the two
// apart, which encoding/csv cannot: there `,,` and `,"",` both read as "".
// It also accepts what Athena does not write but a copy of its file may
// hold: unquoted values, CRLF line ends and a last line without a line
// end. A lone CR is text, as is every byte inside quotes.
//
// The reader copies each record into one string and slices its values out
// of it, so a row costs two allocations whatever its width.
type csvReader struct {
	r        io.Reader
	buf      []byte
	pos, end int
	base     int64 // file offset of buf[0]
	rerr     error // the underlying reader's error once seen; io.EOF at the end
	line     int64 // line at pos, from 1

	// recLine and recOff are where the last record read starts.
	recLine, recOff int64

	rec   []byte // the current record's unescaped values, end to end
	ends  []int  // where each value ends in rec
	nulls []bool
}

func newCSVReader(r io.Reader) *csvReader { return newCSVReaderSize(r, 64<<10) }

func newCSVReaderSize(r io.Reader, size int) *csvReader {
	return &csvReader{r: r, buf: make([]byte, size), line: 1}
}

// more reports whether a byte is available at pos, reading when needed.
func (c *csvReader) more() bool { return c.pos < c.end || c.fill() }

func (c *csvReader) fill() bool {
	if c.rerr != nil {
		return false
	}
	c.base += int64(c.end)
	c.pos, c.end = 0, 0
	// An io.Reader may return 0, nil; give it a few tries, as bufio does.
	for range 100 {
		n, err := c.r.Read(c.buf)
		if n < 0 || n > len(c.buf) {
			c.rerr = fmt.Errorf("result CSV: the reader returned %d bytes for a %d-byte buffer", n, len(c.buf))
			return false
		}
		c.end = n
		if err != nil {
			c.rerr = err
		}
		if n > 0 || err != nil {
			return n > 0
		}
	}
	c.rerr = io.ErrNoProgress
	return false
}

func (c *csvReader) errorf(format string, args ...any) error {
	return &CSVError{Line: c.line, Offset: c.base + int64(c.pos), Msg: fmt.Sprintf(format, args...)}
}

// atEnd reports the state when no byte is left: nil at the clean end of
// the input, the reader's error otherwise. A record is never completed
// from input that ended in a read error.
func (c *csvReader) atEnd() error {
	if c.rerr == io.EOF {
		return nil
	}
	return c.rerr
}

// Read returns the next record, or io.EOF after the last one. A reader
// error is returned as it is, never as a short record.
func (c *csvReader) Read() (engine.Row, error) {
	c.rec, c.ends, c.nulls = c.rec[:0], c.ends[:0], c.nulls[:0]
	c.recLine, c.recOff = c.line, c.base+int64(c.pos)
	if !c.more() {
		if err := c.atEnd(); err != nil {
			return nil, err
		}
		return nil, io.EOF
	}
	for {
		if !c.more() {
			// A record that ends in a comma at the end of input: its
			// last value is an empty unquoted field.
			if err := c.atEnd(); err != nil {
				return nil, err
			}
			c.push(true)
			return c.row(), nil
		}
		var done bool
		var err error
		if c.buf[c.pos] == '"' {
			done, err = c.quoted()
		} else {
			done, err = c.unquoted()
		}
		if err != nil {
			return nil, err
		}
		if done {
			return c.row(), nil
		}
	}
}

// push ends the current value.
func (c *csvReader) push(null bool) {
	c.ends = append(c.ends, len(c.rec))
	c.nulls = append(c.nulls, null)
}

// quoted reads a quoted value and what follows it; done reports the end
// of the record.
func (c *csvReader) quoted() (done bool, err error) {
	openLine, openOff := c.line, c.base+int64(c.pos)
	c.pos++
	for {
		if !c.more() {
			if err := c.atEnd(); err != nil {
				return false, err
			}
			return false, &CSVError{Line: openLine, Offset: openOff, Msg: "quoted value never closed"}
		}
		seg := c.buf[c.pos:c.end]
		i := bytes.IndexByte(seg, '"')
		if i < 0 {
			c.rec = append(c.rec, seg...)
			c.line += int64(bytes.Count(seg, []byte{'\n'}))
			c.pos = c.end
			continue
		}
		c.rec = append(c.rec, seg[:i]...)
		c.line += int64(bytes.Count(seg[:i], []byte{'\n'}))
		c.pos += i + 1
		if c.more() && c.buf[c.pos] == '"' { // a doubled quote
			c.rec = append(c.rec, '"')
			c.pos++
			continue
		}
		break
	}
	c.push(false)
	if !c.more() {
		return true, c.atEnd()
	}
	switch b := c.buf[c.pos]; b {
	case ',':
		c.pos++
		return false, nil
	case '\n':
		c.pos++
		c.line++
		return true, nil
	case '\r':
		cr := c.errorf("CR not followed by LF after a quoted value")
		c.pos++
		if c.more() && c.buf[c.pos] == '\n' {
			c.pos++
			c.line++
			return true, nil
		}
		if err := c.atEnd(); err != nil {
			return false, err
		}
		return false, cr
	default:
		return false, c.errorf("unexpected %q after a quoted value", b)
	}
}

// unquoted reads an unquoted value (empty: NULL) and its separator.
func (c *csvReader) unquoted() (done bool, err error) {
	start := len(c.rec)
scan:
	for c.more() {
		seg := c.buf[c.pos:c.end]
		for i, b := range seg {
			switch b {
			case ',', '\n':
				c.rec = append(c.rec, seg[:i]...)
				c.pos += i + 1
				c.push(len(c.rec) == start)
				if b == '\n' {
					c.line++
					return true, nil
				}
				return false, nil
			case '"':
				c.rec = append(c.rec, seg[:i]...)
				c.pos += i
				return false, c.errorf("quote inside an unquoted value")
			case '\r':
				c.rec = append(c.rec, seg[:i]...)
				c.pos += i + 1
				if c.more() && c.buf[c.pos] == '\n' {
					c.pos++
					c.line++
					c.push(len(c.rec) == start)
					return true, nil
				}
				if err := c.atEnd(); err != nil {
					return false, err
				}
				c.rec = append(c.rec, '\r') // a lone CR is text
				continue scan
			}
		}
		c.rec = append(c.rec, seg...)
		c.pos = c.end
	}
	if err := c.atEnd(); err != nil {
		return false, err
	}
	c.push(len(c.rec) == start)
	return true, nil
}

// row builds the record read as a Row, its values sharing one string.
func (c *csvReader) row() engine.Row {
	s := string(c.rec)
	row := make(engine.Row, len(c.ends))
	prev := 0
	for i, e := range c.ends {
		row[i] = engine.Value{Text: s[prev:e], Null: c.nulls[i]}
		prev = e
	}
	return row
}
