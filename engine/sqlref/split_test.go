package sqlref

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestSplit(t *testing.T) {
	type stmt struct {
		text      string
		line, col int
	}
	tests := []struct {
		name string
		sql  string
		want []stmt
	}{
		{"one, no semicolon", "SELECT 1", []stmt{{"SELECT 1", 1, 1}}},
		{"trimmed, semicolon dropped", "  SELECT 1 ;  ", []stmt{{"SELECT 1", 1, 3}}},
		{"two on two lines", "SELECT 1;\nSELECT 2;\n", []stmt{{"SELECT 1", 1, 1}, {"SELECT 2", 2, 1}}},
		{"semicolon in a string", "SELECT ';' AS s; SELECT 2", []stmt{{"SELECT ';' AS s", 1, 1}, {"SELECT 2", 1, 18}}},
		{"semicolon in a quoted name", `SELECT 1 AS "a;b"; SELECT 2`, []stmt{{`SELECT 1 AS "a;b"`, 1, 1}, {"SELECT 2", 1, 20}}},
		{"semicolon in a backtick name", "DESCRIBE `a;b`; SELECT 2", []stmt{{"DESCRIBE `a;b`", 1, 1}, {"SELECT 2", 1, 17}}},
		{"semicolon in comments", "SELECT 1 -- a; b\n/* c; d */ + 1; SELECT 2", []stmt{{"SELECT 1 -- a; b\n/* c; d */ + 1", 1, 1}, {"SELECT 2", 2, 17}}},
		{"comments before a statement are its own", "SELECT 1;\n-- the second\nSELECT 2", []stmt{{"SELECT 1", 1, 1}, {"-- the second\nSELECT 2", 2, 1}}},
		{"comment-only chunks left out", "SELECT 1; -- trailing\n;; /* x */ ;\n-- end", []stmt{{"SELECT 1", 1, 1}}},
		{"only a comment", "-- nothing here", nil},
		{"empty", "  \n ", nil},
		{"columns count characters", "SELECT 'é';  SELECT 2", []stmt{{"SELECT 'é'", 1, 1}, {"SELECT 2", 1, 14}}},
		{"unclosed string runs to the end", "SELECT 1; SELECT 'open; SELECT 3\n", []stmt{{"SELECT 1", 1, 1}, {"SELECT 'open; SELECT 3", 1, 11}}},
		{"unclosed comment is kept for Athena to refuse", "SELECT 1; /* open", []stmt{{"SELECT 1", 1, 1}, {"/* open", 1, 11}}},
		{"a bad character does not stop the split", "SELECT $x; SELECT 2", []stmt{{"SELECT $x", 1, 1}, {"SELECT 2", 1, 12}}},
		{"a bad character alone is a statement", "SELECT 1; # ; SELECT 2", []stmt{{"SELECT 1", 1, 1}, {"#", 1, 11}, {"SELECT 2", 1, 15}}},
		{"zero-length name is skipped whole", `SELECT "" ; SELECT 2`, []stmt{{`SELECT ""`, 1, 1}, {"SELECT 2", 1, 13}}},
		{"bad escape in a unicode string", `SELECT U&'\zz;'; SELECT 2`, []stmt{{`SELECT U&'\zz;'`, 1, 1}, {"SELECT 2", 1, 18}}},
		{"positions after an error on a later line", "SELECT 1;\nSELECT $;\n  SELECT 3", []stmt{{"SELECT 1", 1, 1}, {"SELECT $", 2, 1}, {"SELECT 3", 3, 3}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Split(tt.sql)
			if len(got) != len(tt.want) {
				t.Fatalf("Split(%q) gives %d statements %q, want %d", tt.sql, len(got), texts(got), len(tt.want))
			}
			for i, s := range got {
				w := tt.want[i]
				if s.Text != w.text || s.Line != w.line || s.Col != w.col {
					t.Errorf("statement %d: %q at %d:%d, want %q at %d:%d", i, s.Text, s.Line, s.Col, w.text, w.line, w.col)
				}
				if tt.sql[s.Start:s.End] != s.Text {
					t.Errorf("statement %d: span %d..%d holds %q, not its text %q", i, s.Start, s.End, tt.sql[s.Start:s.End], s.Text)
				}
			}
		})
	}
}

func TestSplitErrors(t *testing.T) {
	got := Split("SELECT 1; SELECT 'open")
	if len(got) != 2 || got[0].Err != nil || got[1].Err == nil || !strings.Contains(got[1].Err.Msg, "unterminated string") {
		t.Fatalf("errors %v, want none on the first statement and the unclosed string on the second", errsOf(got))
	}
	if e := got[1].Err; e.Line != 1 || e.Col != 18 || e.Pos != 17 {
		t.Errorf("the error is at %d:%d (byte %d), want 1:18 (byte 17)", e.Line, e.Col, e.Pos)
	}
	got = Split("SELECT 1;\nSELECT\n  $x")
	if len(got) != 2 || got[1].Err == nil || got[1].Err.Line != 3 || got[1].Err.Col != 3 {
		t.Fatalf("a bad character on line 3: %v, want its error at 3:3", errsOf(got))
	}
}

// LexAll gives the tokens of the parts between errors with their
// positions in the whole input, as Lex would have given them.
func TestLexAllPositions(t *testing.T) {
	sql := "SELECT a,\n  $ b, é\n#c"
	toks, errs := LexAll(sql)
	if len(errs) != 2 || errs[0].Line != 2 || errs[0].Col != 3 || errs[1].Line != 3 || errs[1].Col != 1 {
		t.Fatalf("errors %v, want $ at 2:3 and # at 3:1", errs)
	}
	for _, tk := range toks {
		line, col := Position(sql, tk.Pos)
		if sql[tk.Pos:tk.End()] != tk.Text || line != tk.Line || col != tk.Col {
			t.Errorf("token %q at byte %d says %d:%d; the input has %q there at %d:%d", tk.Text, tk.Pos, tk.Line, tk.Col, sql[tk.Pos:tk.End()], line, col)
		}
	}
	if n := len(toks); n != 7 || toks[n-1].Text != "c" {
		t.Errorf("tokens %v, want the 7 tokens around the errors", toks)
	}
}

func texts(ss []Statement) []string {
	var out []string
	for _, s := range ss {
		out = append(out, s.Text)
	}
	return out
}

func errsOf(ss []Statement) []*Error {
	var out []*Error
	for _, s := range ss {
		out = append(out, s.Err)
	}
	return out
}

// FuzzSplit checks that Split never panics, that every statement is the
// text its span names, trimmed, in order and not overlapping, holding
// more than comments, and that outside the statements there is only
// whitespace, semicolons and comments.
func FuzzSplit(f *testing.F) {
	for _, s := range benchQueries {
		f.Add(s)
	}
	f.Add("SELECT 1; SELECT ';'; -- x;\n/* ; */ SELECT 2")
	f.Add("SELECT 'open; x")
	f.Add("a $ b ; # ; \"\" ; U&'\\zz'")
	f.Fuzz(func(t *testing.T, sql string) {
		got := Split(sql)
		prev := 0
		for i, s := range got {
			if s.Start < prev || s.End < s.Start || s.End > len(sql) {
				t.Fatalf("statement %d span %d..%d out of order (previous end %d, input %d bytes)", i, s.Start, s.End, prev, len(sql))
			}
			if sql[s.Start:s.End] != s.Text || strings.TrimSpace(s.Text) != s.Text || s.Text == "" {
				t.Fatalf("statement %d %q is not its trimmed span", i, s.Text)
			}
			if line, col := Position(sql, s.Start); line != s.Line || col != s.Col {
				t.Fatalf("statement %d at %d:%d, its start is at %d:%d", i, s.Line, s.Col, line, col)
			}
			if s.Err == nil {
				toks, err := Lex(s.Text)
				if err != nil {
					t.Fatalf("statement %d %q has no error but does not lex: %v", i, s.Text, err)
				}
				code := false
				for _, tk := range toks {
					code = code || tk.Kind != Comment
					if tk.IsOp(";") {
						t.Fatalf("statement %d %q holds a semicolon token", i, s.Text)
					}
				}
				if !code {
					t.Fatalf("statement %d %q is only comments", i, s.Text)
				}
			}
			gap := sql[prev:s.Start]
			prev = s.End
			if !utf8.ValidString(gap) {
				continue
			}
			if toks, err := Lex(gap); err == nil {
				for _, tk := range toks {
					if tk.Kind != Comment && !tk.IsOp(";") {
						t.Fatalf("between statements %q holds %q", gap, tk.Text)
					}
				}
			}
		}
	})
}
