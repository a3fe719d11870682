package print

import (
	"strings"

	"github.com/quiltq/quiltq/engine"
)

// table writes an aligned text table for people at a terminal:
//
//	+----+-------+
//	| id | name  |
//	+----+-------+
//	|  1 | Ada   |
//	| 2  | NULL  |
//	+----+-------+
//
// ASCII borders, because they survive every font, pager, log file and
// clipboard. Numeric columns (by Athena type) are right-aligned. NULL is
// shown as Options.NullString or NULL, dimmed when Options.Color is set;
// the empty string is an empty cell. Control characters are shown escaped
// (`\n`, `\t`, `\r`, `\x1b`) so that each row stays one line: the table is
// for reading, not for parsing (use csv, tsv or json for that).
//
// To stream, the table reads the first Options.SampleRows rows (default
// 1000) before writing anything, sets each column's width to its widest
// value in that sample (capped at Options.MaxWidth), then writes. Values
// after the sample that are wider than their column, and any value wider
// than MaxWidth, end in "…". Widths are terminal columns (see width.go).
type table struct {
	base
	sampleCap int
	sample    []engine.Row
	widths    []int
	right     []bool
	laidOut   bool
	border    []byte
	null      string // the NULL marker as written, with colour if any
	nullWidth int
}

func newTable(b base) *table {
	t := &table{base: b, sampleCap: b.opts.SampleRows}
	if t.sampleCap == 0 {
		t.sampleCap = 1000
	}
	marker := b.nullText("NULL")
	t.nullWidth = stringWidth(marker)
	t.null = marker
	if b.opts.Color {
		t.null = "\x1b[2m" + marker + "\x1b[22m"
	}
	return t
}

func (t *table) Header(cols []engine.Column) error {
	if err := t.startHeader(cols); err != nil {
		return err
	}
	t.right = make([]bool, len(cols))
	for i, c := range cols {
		t.right[i] = Numeric(c.Type)
	}
	return nil
}

func (t *table) Row(r engine.Row) error {
	if err := t.startRow(r); err != nil {
		return err
	}
	t.rows++
	if !t.laidOut {
		// The caller may reuse r's backing array; the strings themselves
		// are immutable, so a shallow copy is enough.
		t.sample = append(t.sample, append(engine.Row(nil), r...))
		if len(t.sample) < t.sampleCap {
			return nil
		}
		return t.layout()
	}
	return t.writeRow(r)
}

func (t *table) Close() error {
	if !t.closed && t.err == nil && t.header {
		if !t.laidOut {
			t.layout()
		}
		t.write(t.border)
	}
	return t.finish()
}

// layout fixes the widths from the sample, writes the top of the table and
// the sampled rows, and drops the sample.
func (t *table) layout() error {
	t.laidOut = true
	t.widths = make([]int, len(t.cols))
	for i, c := range t.cols {
		if !t.opts.NoHeader {
			t.widths[i] = stringWidth(display(c.Name))
		}
	}
	for _, r := range t.sample {
		for i, v := range r {
			w := t.nullWidth
			if !v.Null {
				w = stringWidth(display(v.Text))
			}
			t.widths[i] = max(t.widths[i], w)
		}
	}
	if m := t.opts.MaxWidth; m > 0 {
		for i := range t.widths {
			t.widths[i] = min(t.widths[i], m)
		}
	}
	b := []byte{'+'}
	for _, w := range t.widths {
		b = append(b, strings.Repeat("-", w+2)...)
		b = append(b, '+')
	}
	t.border = append(b, '\n')

	t.write(t.border)
	if !t.opts.NoHeader {
		b := t.buf[:0]
		b = append(b, '|')
		for i, c := range t.cols {
			b = t.cell(b, display(c.Name), i, false)
		}
		t.buf = append(b, '\n')
		t.write(t.buf)
		t.write(t.border)
	}
	for _, r := range t.sample {
		t.writeRow(r)
	}
	t.sample = nil
	return t.err
}

func (t *table) writeRow(r engine.Row) error {
	b := t.buf[:0]
	b = append(b, '|')
	for i, v := range r {
		if v.Null {
			b = t.cell(b, "", i, true)
			continue
		}
		b = t.cell(b, display(v.Text), i, false)
	}
	t.buf = append(b, '\n')
	return t.write(t.buf)
}

// cell appends " value |", padded or truncated to column i's width.
func (t *table) cell(b []byte, s string, i int, null bool) []byte {
	width := t.widths[i]
	text, w := s, 0
	if null {
		text, w = t.null, t.nullWidth
		s = t.nullText("NULL")
	} else {
		w = stringWidth(s)
	}
	b = append(b, ' ')
	if w > width {
		// Truncation drops the colour: the escape would be cut too.
		b, w = truncate(b, s, width)
		b = appendSpaces(b, width-w)
		return append(b, " |"...)
	}
	pad := width - w
	if t.right[i] {
		b = appendSpaces(b, pad)
	}
	b = append(b, text...)
	if !t.right[i] {
		b = appendSpaces(b, pad)
	}
	return append(b, " |"...)
}

func appendSpaces(b []byte, n int) []byte {
	for ; n > 0; n-- {
		b = append(b, ' ')
	}
	return b
}

// Numeric reports whether values of Athena type typ are numbers, which
// read best right-aligned: the table format and the workbench's grid
// align by it, and the grid sorts such columns as numbers.
func Numeric(typ string) bool {
	switch engine.BaseType(typ) {
	case "tinyint", "smallint", "integer", "int", "bigint", "real", "float", "double", "decimal":
		return true
	}
	return false
}

// display is a value or name as a table cell shows it: one line, with
// every control character escaped (see engine.Escape).
func display(s string) string { return engine.Escape(s) }
