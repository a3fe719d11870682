package session

import (
	"strings"
	"testing"
)

// SQL that does not parse is a syntax error with its position, never a
// refusal; SQL the reference check cannot read (valid, perhaps) is not.
func TestSyntaxOfTellsSyntaxErrors(t *testing.T) {
	for _, c := range []struct {
		sql       string
		line, col int // 0: not a syntax error
		message   string
	}{
		{"SELEC 1", 1, 1, "SELEC does not start a statement"},
		{"SELECT 1\nFROM", 2, 5, "expected a table name"},
		{"SELECT 'abc", 1, 8, "unterminated string literal"},
		{"-- only a comment", 1, 18, "no SQL statement"},
		{"SELECT * FROM TABLE(foo(1))", 0, 0, ""},
		{"CALL system.sync()", 0, 0, ""},
		{"CREATE FUNCTION f", 0, 0, ""},
		{"EXECUTE x", 0, 0, ""},
	} {
		_, err := refsOf(c.sql, "AwsDataCatalog", "sales")
		if err == nil {
			t.Errorf("%q: the reference check read it, want an error", c.sql)
			continue
		}
		se := syntaxOf(err)
		switch {
		case c.line == 0 && se != nil:
			t.Errorf("%q: a syntax error (%v), want the check's own limit", c.sql, se)
		case c.line != 0 && se == nil:
			t.Errorf("%q: %v, want a syntax error at %d:%d", c.sql, err, c.line, c.col)
		case c.line != 0 && (se.Line != c.line || se.Column != c.col || !strings.Contains(se.Message, c.message)):
			t.Errorf("%q: got %d:%d %q, want %d:%d %q", c.sql, se.Line, se.Column, se.Message, c.line, c.col, c.message)
		}
	}
}
