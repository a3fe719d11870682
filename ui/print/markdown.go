package print

import "github.com/quiltq/quiltq/engine"

// markdown writes a GitHub-flavoured Markdown table, one line per row,
// without padding (renderers align it; padding would need every row first).
// Numeric columns (by Athena type) are right-aligned with "---:".
//
// Cells are escaped so that each value renders as its own text: "|"
// becomes `\|`, a backslash `\\`, and a line break (LF, CR LF or CR)
// becomes <br>, the only way to break a line inside a GitHub table cell.
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

func appendMarkdown(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '|':
			b = append(b, '\\', '|')
		case '\\':
			b = append(b, '\\', '\\')
		case '\r':
			if i+1 < len(s) && s[i+1] == '\n' {
				i++
			}
			b = append(b, "<br>"...)
		case '\n':
			b = append(b, "<br>"...)
		default:
			b = append(b, c)
		}
	}
	return b
}
