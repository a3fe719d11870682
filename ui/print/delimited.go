package print

import (
	"github.com/quiltq/quiltq/engine"
)

// delimited writes csv and tsv, one line per row, "\n" line endings.
//
// csv follows RFC 4180 except for the line ending (Unix "\n", as psql and
// most tools write; RFC 4180 readers accept it), in the style of Athena's
// own result files and PostgreSQL's force-quoted CSV: every name and every
// non-NULL value is quoted (quotes inside doubled), and NULL is an empty
// unquoted field, or Options.NullString as given. So NULL and the empty
// string stay apart by default, the bytes are the same whichever way the
// rows were fetched, and a result file read from S3 can be passed through
// unchanged (see quiltq -e's fast path).
//
// tsv is never quoted. Instead, as psql and hsql do, a backslash becomes
// `\\`, a tab `\t`, a newline `\n` and a carriage return `\r`, so that every
// row is one line and every tab separates fields. A NullString of `\N`
// therefore cannot collide with any value.
type delimited struct {
	base
	tsv bool
}

func (d *delimited) Header(cols []engine.Column) error {
	if err := d.startHeader(cols); err != nil {
		return err
	}
	if d.opts.NoHeader {
		return nil
	}
	b := d.buf[:0]
	for i, c := range cols {
		if i > 0 {
			b = append(b, d.sep())
		}
		b = d.field(b, c.Name)
	}
	b = append(b, '\n')
	d.buf = b
	return d.write(b)
}

func (d *delimited) Row(r engine.Row) error {
	if err := d.startRow(r); err != nil {
		return err
	}
	null := d.nullText("")
	b := d.buf[:0]
	for i, v := range r {
		if i > 0 {
			b = append(b, d.sep())
		}
		if v.Null {
			// Written as is: a NullString is the user's own marker.
			b = append(b, null...)
			continue
		}
		b = d.field(b, v.Text)
	}
	b = append(b, '\n')
	d.buf = b
	d.rows++
	return d.write(b)
}

func (d *delimited) Close() error { return d.finish() }

func (d *delimited) sep() byte {
	if d.tsv {
		return '\t'
	}
	return ','
}

// field appends one non-NULL value in the writer's format.
func (d *delimited) field(b []byte, s string) []byte {
	if d.tsv {
		return appendTSV(b, s)
	}
	return d.appendCSV(b, s)
}

func (d *delimited) appendCSV(b []byte, s string) []byte {
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		if s[i] == '"' {
			b = append(b, '"')
		}
		b = append(b, s[i])
	}
	return append(b, '"')
}

func appendTSV(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '\\':
			b = append(b, '\\', '\\')
		case '\t':
			b = append(b, '\\', 't')
		case '\n':
			b = append(b, '\\', 'n')
		case '\r':
			b = append(b, '\\', 'r')
		default:
			b = append(b, c)
		}
	}
	return b
}
