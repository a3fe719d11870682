package sqlref

import (
	"errors"
	"strings"
	"testing"
	"unicode"
)

func TestLex(t *testing.T) {
	type tok struct {
		kind  Kind
		text  string
		value string
	}
	tests := []struct {
		name string
		sql  string
		want []tok
	}{
		{"words fold", "SELECT Foo", []tok{{Word, "SELECT", "select"}, {Word, "Foo", "foo"}}},
		{"quoted ident", `"a""b"."my-bucket_packages"."$path"`, []tok{
			{QuotedIdent, `"a""b"`, `a"b`}, {Op, ".", "."}, {QuotedIdent, `"my-bucket_packages"`, "my-bucket_packages"},
			{Op, ".", "."}, {QuotedIdent, `"$path"`, "$path"}}},
		{"quoted with spaces and dots", `"x y.z"`, []tok{{QuotedIdent, `"x y.z"`, "x y.z"}}},
		{"backtick", "`my-db`.`t``x`", []tok{{BacktickIdent, "`my-db`", "my-db"}, {Op, ".", "."}, {BacktickIdent, "`t``x`", "t`x"}}},
		{"string", "'it''s'", []tok{{String, "'it''s'", "it's"}}},
		{"empty string", "''", []tok{{String, "''", ""}}},
		{"unicode string", `U&'\0041\+01F600b'`, []tok{{String, `U&'\0041\+01F600b'`, "A😀b"}}},
		{"binary string", "X'4F 2a'", []tok{{String, "X'4F 2a'", "4F 2a"}}},
		{"x is a word otherwise", "x = 1", []tok{{Word, "x", "x"}, {Op, "=", "="}, {Number, "1", "1"}}},
		{"numbers", "1 1.5 .5 1e10 2.5E-3 0x1F 1_000 7.", []tok{
			{Number, "1", "1"}, {Number, "1.5", "1.5"}, {Number, ".5", ".5"}, {Number, "1e10", "1e10"},
			{Number, "2.5E-3", "2.5E-3"}, {Number, "0x1F", "0x1F"}, {Number, "1_000", "1_000"}, {Number, "7.", "7."}}},
		{"qualified number-like", "t.c1", []tok{{Word, "t", "t"}, {Op, ".", "."}, {Word, "c1", "c1"}}},
		{"operators", "a||b->c=>d<>e!=f<=g>=h::i", []tok{
			{Word, "a", "a"}, {Op, "||", "||"}, {Word, "b", "b"}, {Op, "->", "->"}, {Word, "c", "c"}, {Op, "=>", "=>"},
			{Word, "d", "d"}, {Op, "<>", "<>"}, {Word, "e", "e"}, {Op, "!=", "!="}, {Word, "f", "f"}, {Op, "<=", "<="},
			{Word, "g", "g"}, {Op, ">=", ">="}, {Word, "h", "h"}, {Op, "::", "::"}, {Word, "i", "i"}}},
		{"punctuation", "f(a, b[1]);", []tok{{Word, "f", "f"}, {Op, "(", "("}, {Word, "a", "a"}, {Op, ",", ","},
			{Word, "b", "b"}, {Op, "[", "["}, {Number, "1", "1"}, {Op, "]", "]"}, {Op, ")", ")"}, {Op, ";", ";"}}},
		{"param", "a = ?", []tok{{Word, "a", "a"}, {Op, "=", "="}, {Param, "?", "?"}}},
		{"comments", "-- hi\nSELECT /* x.y */ 1 -- end", []tok{{Comment, "-- hi", " hi"}, {Word, "SELECT", "select"},
			{Comment, "/* x.y */", " x.y "}, {Number, "1", "1"}, {Comment, "-- end", " end"}}},
		{"minus minus is a comment, minus alone is not", "1 - -2", []tok{{Number, "1", "1"}, {Op, "-", "-"}, {Op, "-", "-"}, {Number, "2", "2"}}},
		{"unicode identifiers", "SELECT café, 名前 FROM t", []tok{{Word, "SELECT", "select"}, {Word, "café", "café"},
			{Op, ",", ","}, {Word, "名前", "名前"}, {Word, "FROM", "from"}, {Word, "t", "t"}}},
		{"string containing comment marks", "'-- not /* a comment'", []tok{{String, "'-- not /* a comment'", "-- not /* a comment"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			toks, err := Lex(tt.sql)
			if err != nil {
				t.Fatalf("Lex(%q): %v", tt.sql, err)
			}
			var got []tok
			for _, x := range toks {
				got = append(got, tok{x.Kind, x.Text, x.Value})
			}
			if len(got) != len(tt.want) {
				t.Fatalf("Lex(%q) = %v, want %v", tt.sql, got, tt.want)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Errorf("token %d: got %+v, want %+v", i, got[i], tt.want[i])
				}
			}
			checkInvariants(t, tt.sql, toks)
		})
	}
}

func TestLexPositions(t *testing.T) {
	sql := "SELECT\n  \"é\", x\n/* a\nb */ FROM t"
	toks, err := Lex(sql)
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		text      string
		pos       int
		line, col int
	}{
		{"SELECT", 0, 1, 1}, {`"é"`, 9, 2, 3}, {",", 13, 2, 6}, {"x", 15, 2, 8},
		{"/* a\nb */", 17, 3, 1}, {"FROM", 27, 4, 6}, {"t", 32, 4, 11},
	}
	if len(toks) != len(want) {
		t.Fatalf("got %d tokens, want %d: %+v", len(toks), len(want), toks)
	}
	for i, w := range want {
		g := toks[i]
		if g.Text != w.text || g.Pos != w.pos || g.Line != w.line || g.Col != w.col {
			t.Errorf("token %d: got %q at %d (%d:%d), want %q at %d (%d:%d)", i, g.Text, g.Pos, g.Line, g.Col, w.text, w.pos, w.line, w.col)
		}
		if l, c := Position(sql, g.Pos); l != g.Line || c != g.Col {
			t.Errorf("Position(%d) = %d:%d, want %d:%d", g.Pos, l, c, g.Line, g.Col)
		}
	}
}

func TestLexErrors(t *testing.T) {
	tests := []struct {
		sql, want string
	}{
		{"SELECT 'abc", "line 1:8: unterminated string literal"},
		{"SELECT \"abc", "line 1:8: unterminated quoted identifier"},
		{"SELECT `abc", "line 1:8: unterminated backtick identifier"},
		{"SELECT 1\n  /* never closed", "line 2:3: unterminated comment"},
		{"SELECT ''''' ", "line 1:8: unterminated string literal"},
		{"SELECT \"\"", "line 1:8: zero-length delimited identifier not allowed"},
		{"SELECT é#", "line 1:9: token recognition error at: '#'"},
		{"SELECT \xff", "line 1:8: invalid UTF-8 byte 0xff"},
		{`SELECT U&'\zzzz'`, `line 1:8: invalid Unicode escape "\\zzzz"`},
		{`SELECT U&'\12'`, `line 1:8: incomplete Unicode escape "\\12"`},
	}
	for _, tt := range tests {
		_, err := Lex(tt.sql)
		var le *Error
		if !errors.As(err, &le) {
			t.Errorf("Lex(%q): got error %v, want *Error", tt.sql, err)
			continue
		}
		if err.Error() != tt.want {
			t.Errorf("Lex(%q): got %q, want %q", tt.sql, err.Error(), tt.want)
		}
	}
}

func TestTokenHelpers(t *testing.T) {
	toks, err := Lex(`select "from" , x`)
	if err != nil {
		t.Fatal(err)
	}
	if !toks[0].Is("SELECT") || toks[1].Is("from") || !toks[1].IsIdent() || !toks[2].IsOp(",") || toks[3].IsOp(",") {
		t.Errorf("helpers disagree with tokens %+v", toks)
	}
	if got := toks[1].End(); got != 13 {
		t.Errorf("End() = %d, want 13", got)
	}
	if got := len(Significant([]Token{{Kind: Comment}, {Kind: Word}})); got != 1 {
		t.Errorf("Significant kept %d tokens, want 1", got)
	}
}

// checkInvariants asserts what every successful Lex must satisfy: tokens in
// order, inside the input, their raw text equal to the input at their
// offset, and nothing but whitespace between them.
func checkInvariants(t *testing.T, sql string, toks []Token) {
	t.Helper()
	prev := 0
	for _, tok := range toks {
		if tok.Pos < prev || tok.End() > len(sql) || tok.Text == "" {
			t.Fatalf("token %+v out of order or out of bounds (prev end %d, len %d)", tok, prev, len(sql))
		}
		if sql[tok.Pos:tok.End()] != tok.Text {
			t.Fatalf("token text %q differs from input %q", tok.Text, sql[tok.Pos:tok.End()])
		}
		if gap := sql[prev:tok.Pos]; strings.TrimFunc(gap, unicode.IsSpace) != "" {
			t.Fatalf("non-space %q skipped before %+v", gap, tok)
		}
		if l, c := Position(sql, tok.Pos); l != tok.Line || c != tok.Col {
			t.Fatalf("token %+v: Position says %d:%d", tok, l, c)
		}
		prev = tok.End()
	}
	if rest := sql[prev:]; strings.TrimFunc(rest, unicode.IsSpace) != "" {
		t.Fatalf("non-space %q after the last token", rest)
	}
}

func FuzzLex(f *testing.F) {
	for _, s := range []string{
		"SELECT * FROM \"quilt-sales-prod-tabulator\".\"nextflowtower\".\"sail\" WHERE x = 'it''s' -- c",
		"WITH t AS (SELECT 1) SELECT a||b, U&'\\0041', X'4f', 1.5e3, ? FROM t /* c */;",
		"select `a`.b::int -> x => y <> z != w",
		"'unterminated", "/* open", "\"\"", "é\xff",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, sql string) {
		toks, err := Lex(sql)
		if err != nil {
			var le *Error
			if !errors.As(err, &le) {
				t.Fatalf("error %v is not an *Error", err)
			}
			if le.Pos < 0 || le.Pos > len(sql) {
				t.Fatalf("error position %d outside [0,%d]", le.Pos, len(sql))
			}
			if l, c := Position(sql, le.Pos); l != le.Line || c != le.Col {
				t.Fatalf("error at %d says %d:%d, Position says %d:%d", le.Pos, le.Line, le.Col, l, c)
			}
			return
		}
		checkInvariants(t, sql, toks)
	})
}
