package sqlref

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Statement is one statement of a script, as Split cuts it.
type Statement struct {
	// Text is the statement as written, without the semicolon that ends
	// it and without the whitespace around it; comments before it (after
	// the previous semicolon) and inside it are kept, so Text is exactly
	// what Athena is sent and what its line:column positions count from.
	Text string
	// Start and End are the byte offsets of Text in the script:
	// Text == script[Start:End].
	Start, End int
	// Line and Col are the 1-based position of Start in the script, Col
	// counting characters as Athena's positions do.
	Line, Col int
	// Err is the first lexical error inside the statement (an unclosed
	// quote or comment, a character no token starts with), nil when the
	// statement lexes. The statement is still returned: Athena reports the
	// same error with its position, and an unclosed quote runs to the end
	// of the script, as it would for Athena.
	Err *Error
}

// Split cuts a script into its statements at the semicolons that end
// them: a semicolon inside a string, a quoted name or a comment does not
// split. Chunks holding only comments (after the last semicolon, between
// two semicolons) are not statements and are left out.
//
// Split never fails. Where the lexer stops at an error, Split goes on
// after it: past a character no token starts with, or to the end of the
// script after an unclosed string, quoted name or comment (whose end is
// nowhere). The statement holding the error carries it in Err.
func Split(sql string) []Statement {
	toks, errs := LexAll(sql)
	var out []Statement
	first, last := -1, -1 // byte range of the chunk so far
	code := false         // the chunk holds more than comments
	var chunkErr *Error
	flush := func() {
		if first >= 0 && code {
			line, col := Position(sql, first)
			out = append(out, Statement{Text: sql[first:last], Start: first, End: last, Line: line, Col: col, Err: chunkErr})
		}
		first, last, code, chunkErr = -1, -1, false, nil
	}
	ei := 0
	for _, t := range toks {
		// Errors before this token belong to the chunk it is in.
		for ei < len(errs) && errs[ei].Pos < t.Pos {
			chunkError(&first, &last, &code, &chunkErr, errs[ei], sql)
			ei++
		}
		if t.Kind == Op && t.Text == ";" {
			flush()
			continue
		}
		if first < 0 {
			first = t.Pos
		}
		last = t.End()
		if t.Kind != Comment {
			code = true
		} else {
			// A line comment runs to the end of its line, trailing blanks
			// (and a \r) included: they are not part of the statement.
			last = t.Pos + len(strings.TrimRightFunc(t.Text, unicode.IsSpace))
		}
	}
	for ; ei < len(errs); ei++ {
		chunkError(&first, &last, &code, &chunkErr, errs[ei], sql)
	}
	flush()
	return out
}

// chunkError adds a lexical error to the chunk being read: the bytes it
// covers (to the end of the script, trimmed, for an unclosed construct)
// are part of the statement, which counts as code since Athena will say
// what is wrong with it.
func chunkError(first, last *int, code *bool, chunkErr **Error, e *Error, sql string) {
	if *first < 0 {
		*first = e.Pos
	}
	end := e.Pos + badLen(sql[e.Pos:])
	if unclosed(e) {
		end = len(strings.TrimRightFunc(sql, unicode.IsSpace))
	}
	*last = max(*last, end)
	*code = true
	if *chunkErr == nil {
		*chunkErr = e
	}
}

// unclosed reports whether e is a construct that never ends (an
// unterminated string, quoted name or comment), which swallows the rest of
// the script.
func unclosed(e *Error) bool { return strings.HasPrefix(e.Msg, "unterminated") }

// LexAll lexes the whole of sql, going on past errors: after a character
// no token starts with (or a zero-length "" name, or a U&'...' string with a
// bad escape) it lexes on from the next token; after an unclosed string,
// quoted name or comment it stops, the rest of the input being inside it.
// The tokens are those Lex gives for the parts between errors, with
// positions in sql; errs are the errors in order.
func LexAll(sql string) (toks []Token, errs []*Error) {
	off, line, col := 0, 1, 1
	for {
		part, err := Lex(sql[off:])
		for _, t := range part {
			toks = append(toks, shift(t, off, line, col))
		}
		if err == nil {
			return toks, errs
		}
		le, ok := err.(*Error)
		if !ok {
			return toks, errs
		}
		e := shiftError(*le, off, line, col)
		errs = append(errs, &e)
		if unclosed(&e) {
			return toks, errs
		}
		next := e.Pos + badLen(sql[e.Pos:])
		// Keep line and column current up to the restart.
		line, col = e.Line, e.Col
		for _, r := range sql[e.Pos:next] {
			if r == '\n' {
				line, col = line+1, 1
			} else {
				col++
			}
		}
		off = next
	}
}

// shift moves a token lexed from an input starting at byte off (line,
// col) of the whole script to its place in the script.
func shift(t Token, off, line, col int) Token {
	if t.Line == 1 {
		t.Col += col - 1
	}
	t.Line += line - 1
	t.Pos += off
	return t
}

func shiftError(e Error, off, line, col int) Error {
	if e.Line == 1 {
		e.Col += col - 1
	}
	e.Line += line - 1
	e.Pos += off
	return e
}

// badLen is the length of the bad token at the start of s, which the
// lexer refused: a zero-length "" name, a U&'...' string with a bad escape
// (the whole string), else the one character (or invalid byte).
func badLen(s string) int {
	switch {
	case strings.HasPrefix(s, `""`):
		return 2
	case len(s) > 2 && (s[0] == 'U' || s[0] == 'u') && s[1] == '&' && s[2] == '\'':
		if n, _, ok := quoted(s[2:], '\''); ok {
			return n + 2
		}
	}
	if s == "" {
		return 0
	}
	_, n := utf8.DecodeRuneInString(s)
	return n
}
