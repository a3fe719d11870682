package sqlref

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Kind classifies a token.
type Kind int

// The kinds of token Lex produces.
const (
	Word          Kind = iota + 1 // a bare keyword or identifier: SELECT, orders, _col0
	QuotedIdent                   // "a ""quoted"" identifier"
	BacktickIdent                 // `a backtick identifier` (Hive DDL style)
	String                        // 'a string', U&'unicode\0041', X'4F'
	Number                        // 42, 1.5, .5, 1e10, 0x1F
	Op                            // operators and punctuation: . , ( ) ; || -> => <> != <= >= ::
	Param                         // the positional parameter ?
	Comment                       // -- to end of line, or /* block */
)

var kindNames = [...]string{"invalid", "word", "quoted identifier", "backtick identifier", "string", "number", "operator", "parameter", "comment"}

func (k Kind) String() string {
	if k >= 0 && int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "kind(" + strconv.Itoa(int(k)) + ")"
}

// Token is one lexical unit of SQL.
type Token struct {
	Kind Kind
	// Text is the token exactly as it appears in the input.
	Text string
	// Value is the token's meaning: the lower-cased word for Word (Athena
	// folds identifiers and keywords alike), the unescaped name for quoted
	// and backtick identifiers, the unescaped contents for strings (for X''
	// the hex digits as written), the comment body for comments, and Text
	// for everything else.
	Value string
	// Pos is the byte offset of the token's first byte in the input.
	Pos int
	// Line and Col are 1-based; Col counts characters (runes), not bytes,
	// as Athena's "line 1:15:" positions do.
	Line, Col int
}

// End is the byte offset just past the token.
func (t Token) End() int { return t.Pos + len(t.Text) }

// Is reports whether t is the bare word w, compared case-insensitively.
func (t Token) Is(w string) bool {
	return t.Kind == Word && strings.EqualFold(t.Text, w)
}

// IsOp reports whether t is the operator or punctuation op.
func (t Token) IsOp(op string) bool { return t.Kind == Op && t.Text == op }

// IsIdent reports whether t can name something: a word or a quoted or
// backtick identifier.
func (t Token) IsIdent() bool {
	return t.Kind == Word || t.Kind == QuotedIdent || t.Kind == BacktickIdent
}

// Error is a lexical error: an unterminated quote or comment, or a
// character that cannot start a token.
type Error struct {
	Pos, Line, Col int
	Msg            string
}

func (e *Error) Error() string {
	return fmt.Sprintf("line %d:%d: %s", e.Line, e.Col, e.Msg)
}

// Lex splits sql into tokens. Whitespace is skipped; comments are kept as
// Comment tokens so that the input between tokens is always whitespace.
// On error it returns the tokens read so far and an *Error.
func Lex(sql string) ([]Token, error) {
	l := lexer{src: sql, line: 1, col: 1}
	var toks []Token
	for {
		t, ok, err := l.next()
		if err != nil {
			return toks, err
		}
		if !ok {
			return toks, nil
		}
		toks = append(toks, t)
	}
}

// Significant returns toks without comments, the usual input of a parser.
func Significant(toks []Token) []Token {
	out := make([]Token, 0, len(toks))
	for _, t := range toks {
		if t.Kind != Comment {
			out = append(out, t)
		}
	}
	return out
}

// Position returns the 1-based line and rune column of byte offset pos in
// sql, counted the way Lex counts them.
func Position(sql string, pos int) (line, col int) {
	if pos > len(sql) {
		pos = len(sql)
	}
	line, col = 1, 1
	for _, r := range sql[:pos] {
		if r == '\n' {
			line++
			col = 1
		} else {
			col++
		}
	}
	return line, col
}

type lexer struct {
	src       string
	pos       int
	line, col int
}

// advance moves past n bytes, keeping line and column current.
func (l *lexer) advance(n int) {
	end := l.pos + n
	for l.pos < end {
		r, size := utf8.DecodeRuneInString(l.src[l.pos:])
		if r == '\n' {
			l.line++
			l.col = 1
		} else {
			l.col++
		}
		l.pos += size
	}
}

func (l *lexer) errorf(pos, line, col int, format string, args ...any) error {
	return &Error{Pos: pos, Line: line, Col: col, Msg: fmt.Sprintf(format, args...)}
}

// operators lists multi-character operators, longest first within each
// leading character so that the first match is the longest.
var operators = []string{"||", "->", "=>", "<>", "<=", ">=", "!=", "::"}

const singleOps = ".,();[]{}+-*/%=<>:|^&~!"

func (l *lexer) next() (Token, bool, error) {
	// Skip whitespace.
	for l.pos < len(l.src) {
		r, size := utf8.DecodeRuneInString(l.src[l.pos:])
		if !unicode.IsSpace(r) || (r == utf8.RuneError && size == 1) {
			break
		}
		l.advance(size)
	}
	if l.pos >= len(l.src) {
		return Token{}, false, nil
	}
	start, line, col := l.pos, l.line, l.col
	rest := l.src[l.pos:]
	emit := func(k Kind, n int, value string) (Token, bool, error) {
		text := l.src[start : start+n]
		if k != Word && k != QuotedIdent && k != BacktickIdent && k != String && k != Comment {
			value = text
		}
		l.advance(n)
		return Token{Kind: k, Text: text, Value: value, Pos: start, Line: line, Col: col}, true, nil
	}
	c := rest[0]
	switch {
	case strings.HasPrefix(rest, "--"):
		n := strings.IndexByte(rest, '\n')
		if n < 0 {
			n = len(rest)
		}
		return emit(Comment, n, rest[2:n])
	case strings.HasPrefix(rest, "/*"):
		n := strings.Index(rest[2:], "*/")
		if n < 0 {
			return Token{}, false, l.errorf(start, line, col, "unterminated comment")
		}
		return emit(Comment, n+4, rest[2:n+2])
	case c == '\'':
		n, v, ok := quoted(rest, '\'')
		if !ok {
			return Token{}, false, l.errorf(start, line, col, "unterminated string literal")
		}
		return emit(String, n, v)
	case c == '"':
		n, v, ok := quoted(rest, '"')
		if !ok {
			return Token{}, false, l.errorf(start, line, col, "unterminated quoted identifier")
		}
		if n == 2 {
			return Token{}, false, l.errorf(start, line, col, "zero-length delimited identifier not allowed")
		}
		return emit(QuotedIdent, n, v)
	case c == '`':
		n, v, ok := quoted(rest, '`')
		if !ok {
			return Token{}, false, l.errorf(start, line, col, "unterminated backtick identifier")
		}
		return emit(BacktickIdent, n, v)
	case (c == 'U' || c == 'u') && strings.HasPrefix(rest[1:], "&'"):
		n, v, ok := quoted(rest[2:], '\'')
		if !ok {
			return Token{}, false, l.errorf(start, line, col, "unterminated string literal")
		}
		dec, err := unicodeEscapes(v)
		if err != nil {
			return Token{}, false, l.errorf(start, line, col, "%v", err)
		}
		return emit(String, n+2, dec)
	case (c == 'X' || c == 'x') && len(rest) > 1 && rest[1] == '\'':
		n, v, ok := quoted(rest[1:], '\'')
		if !ok {
			return Token{}, false, l.errorf(start, line, col, "unterminated binary literal")
		}
		return emit(String, n+1, v)
	case c >= '0' && c <= '9' || c == '.' && len(rest) > 1 && rest[1] >= '0' && rest[1] <= '9':
		return emit(Number, number(rest), "")
	case c == '?':
		return emit(Param, 1, "")
	}
	if r, size := utf8.DecodeRuneInString(rest); isIdentStart(r) {
		n := size
		for n < len(rest) {
			r, size := utf8.DecodeRuneInString(rest[n:])
			if !isIdentPart(r) {
				break
			}
			n += size
		}
		return emit(Word, n, strings.ToLower(rest[:n]))
	}
	for _, op := range operators {
		if strings.HasPrefix(rest, op) {
			return emit(Op, len(op), "")
		}
	}
	if strings.IndexByte(singleOps, c) >= 0 {
		return emit(Op, 1, "")
	}
	r, _ := utf8.DecodeRuneInString(rest)
	if r == utf8.RuneError {
		return Token{}, false, l.errorf(start, line, col, "invalid UTF-8 byte 0x%02x", c)
	}
	return Token{}, false, l.errorf(start, line, col, "token recognition error at: '%c'", r)
}

func isIdentStart(r rune) bool {
	return r == '_' || unicode.IsLetter(r)
}

func isIdentPart(r rune) bool {
	// '@' and ':' are legal inside Trino identifiers, but ':' would swallow
	// the '::' operator, so only '@' is accepted here.
	return r == '_' || r == '@' || unicode.IsLetter(r) || unicode.IsDigit(r)
}

// quoted reads a literal delimited by q at the start of s, where a doubled
// q stands for one. It returns the byte length including both delimiters
// and the unescaped contents.
func quoted(s string, q byte) (int, string, bool) {
	var b strings.Builder
	i := 1
	for {
		j := strings.IndexByte(s[i:], q)
		if j < 0 {
			return 0, "", false
		}
		b.WriteString(s[i : i+j])
		i += j + 1
		if i < len(s) && s[i] == q {
			b.WriteByte(q)
			i++
			continue
		}
		return i, b.String(), true
	}
}

// unicodeEscapes decodes the \XXXX and \+XXXXXX escapes of a U&” string
// (with the default escape character; UESCAPE is left to the parser).
func unicodeEscapes(s string) (string, error) {
	if !strings.Contains(s, `\`) {
		return s, nil
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' {
			b.WriteByte(s[i])
			continue
		}
		switch {
		case i+1 < len(s) && s[i+1] == '\\':
			b.WriteByte('\\')
			i++
		case i+1 < len(s) && s[i+1] == '+' && i+8 <= len(s):
			v, err := strconv.ParseUint(s[i+2:i+8], 16, 32)
			if err != nil || !utf8.ValidRune(rune(v)) {
				return "", fmt.Errorf("invalid Unicode escape %q", s[i:i+8])
			}
			b.WriteRune(rune(v))
			i += 7
		case i+5 <= len(s):
			v, err := strconv.ParseUint(s[i+1:i+5], 16, 32)
			if err != nil || !utf8.ValidRune(rune(v)) {
				return "", fmt.Errorf("invalid Unicode escape %q", s[i:i+5])
			}
			b.WriteRune(rune(v))
			i += 4
		default:
			return "", fmt.Errorf("incomplete Unicode escape %q", s[i:])
		}
	}
	return b.String(), nil
}

// number returns the length of the numeric literal at the start of s:
// decimal digits with an optional fraction and exponent, or 0x hex.
func number(s string) int {
	digits := func(i int) int {
		// Trino allows '_' between digits: 1_000_000.
		for i < len(s) && (isDigit(s[i]) || s[i] == '_' && i > 0 && isDigit(s[i-1]) && i+1 < len(s) && isDigit(s[i+1])) {
			i++
		}
		return i
	}
	if len(s) > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X') && isHex(s[2]) {
		i := 2
		for i < len(s) && isHex(s[i]) {
			i++
		}
		return i
	}
	i := digits(0)
	if i < len(s) && s[i] == '.' {
		i = digits(i + 1)
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		j := i + 1
		if j < len(s) && (s[j] == '+' || s[j] == '-') {
			j++
		}
		if j < len(s) && s[j] >= '0' && s[j] <= '9' {
			i = digits(j)
		}
	}
	return i
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}
