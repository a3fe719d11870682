package print

import "github.com/quiltq/quiltq/engine"

// markdown writes a GitHub-flavoured Markdown table, one line per row,
// without padding (renderers align it; padding would need every row first).
// Numeric columns (by Athena type) are right-aligned with "---:".
//
// Cells are escaped so that each value renders as its own text: "|"
// becomes `\|`, a backslash `\\`, and a line break (LF, CR LF or CR)
// becomes <br>, the only way to break a line inside a GitHub table cell.
// Control characters other than the tab are escaped as engine.Escape
// writes them (`\x1b`), since the table is often read on the terminal it
// is printed to.
// Other Markdown in values (`*`, `_`, backticks) is left alone, as most
// exporters do, so a value that looks like Markdown renders as Markdown.
//
// NULL is written as Options.NullString, or NULL when that is nil; an empty
// string is an empty cell.
type markdown struct {
	base
}

func (m *markdown) Header(cols []engine.Column) error {
	if err := m.startHeader(cols); err != nil {
		return err
	}
	b := m.buf[:0]
	b = append(b, '|')
	for _, c := range cols {
		b = append(b, ' ')
		b = appendMarkdown(b, c.Name)
		b = append(b, " |"...)
	}
	b = append(b, "\n|"...)
	for _, c := range cols {
		if Numeric(c.Type) {
			b = append(b, " ---: |"...)
		} else {
			b = append(b, " --- |"...)
		}
	}
	b = append(b, '\n')
	m.buf = b
	return m.write(b)
}

func (m *markdown) Row(r engine.Row) error {
	if err := m.startRow(r); err != nil {
		return err
	}
	null := m.nullText("NULL")
	b := m.buf[:0]
	b = append(b, '|')
	for _, v := range r {
		b = append(b, ' ')
		if v.Null {
			b = appendMarkdown(b, null)
		} else {
			b = appendMarkdown(b, v.Text)
		}
		b = append(b, " |"...)
	}
	b = append(b, '\n')
	m.buf = b
	m.rows++
	return m.write(b)
}

func (m *markdown) Close() error { return m.finish() }

// appendMarkdown appends s as a cell: a pipe and a backslash escaped with
// a backslash, a line break as <br>, a tab kept, and every other control
// character (ESC, CSI, bidirectional controls, bytes that are not UTF-8)
// as engine.Escape writes it, so that a value can break neither the table
// nor the terminal it is shown on.
func appendMarkdown(b []byte, s string) []byte {
	start := 0 // the run of s not yet appended
	for i := 0; i < len(s); i++ {
		var rep string
		switch s[i] {
		case '|':
			rep = `\|`
		case '\\':
			rep = `\\`
		case '\r':
			if i+1 < len(s) && s[i+1] == '\n' {
				b = engine.AppendEscaped(b, s[start:i], true)
				i++
				start = i + 1
				b = append(b, "<br>"...)
				continue
			}
			rep = "<br>"
		case '\n':
			rep = "<br>"
		default:
			continue
		}
		// Between the characters above, EscapeText's rule: tabs kept,
		// other controls escaped.
		b = engine.AppendEscaped(b, s[start:i], true)
		b = append(b, rep...)
		start = i + 1
	}
	return engine.AppendEscaped(b, s[start:], true)
}
