package engine

import (
	"errors"
	"regexp"
	"strconv"
	"strings"
)

// SyntaxError is SQL that does not parse, as quiltq's own reading of a
// statement finds it or as Athena reports it ("SYNTAX_ERROR: line 1:8:
// mismatched input ..."). Line and Column are 1-based and count characters,
// as Athena's positions do; 0 means the position is not known.
type SyntaxError struct {
	Line, Column int
	Message      string
}

func (e *SyntaxError) Error() string {
	if e.Line > 0 {
		return "syntax error at line " + strconv.Itoa(e.Line) + ":" + strconv.Itoa(e.Column) + ": " + e.Message
	}
	return "syntax error: " + e.Message
}

// athenaPosition is the "line L:C:" prefix Athena (Trino) puts before the
// message of an error tied to a place in the statement.
var athenaPosition = regexp.MustCompile(`\bline (\d+):(\d+):\s*`)

// Position reads the first "line L:C:" position from an error text, as
// Athena writes it in StateChangeReason and in InvalidRequestException
// messages. ok is false when the text names no position.
func Position(text string) (line, col int, ok bool) {
	m := athenaPosition.FindStringSubmatchIndex(text)
	if m == nil {
		return 0, 0, false
	}
	line, err1 := strconv.Atoi(text[m[2]:m[3]])
	col, err2 := strconv.Atoi(text[m[4]:m[5]])
	if err1 != nil || err2 != nil || line < 1 || col < 1 {
		return 0, 0, false
	}
	return line, col, true
}

// syntaxWords are the parser's own phrases: an error text holding one of
// them is a syntax error whether Athena refused the statement at
// StartQueryExecution (InvalidRequestException) or failed the query with
// SYNTAX_ERROR.
var syntaxWords = []string{
	"SYNTAX_ERROR",
	"mismatched input",
	"extraneous input",
	"no viable alternative",
	"Only one sql statement is allowed",
	"unterminated string literal",
	"backquoted identifiers are not supported",
}

// SyntaxOf returns the syntax error err carries: a *SyntaxError in its
// chain, or one read from Athena's wording in its text; nil when err is not
// a syntax error.
func SyntaxOf(err error) *SyntaxError {
	if err == nil {
		return nil
	}
	var se *SyntaxError
	if errors.As(err, &se) {
		return se
	}
	text := err.Error()
	found := false
	for _, w := range syntaxWords {
		if strings.Contains(text, w) {
			found = true
			break
		}
	}
	if !found {
		return nil
	}
	out := &SyntaxError{Message: text}
	if line, col, ok := Position(text); ok {
		out.Line, out.Column = line, col
		m := athenaPosition.FindStringIndex(text)
		out.Message = strings.TrimSpace(text[m[1]:])
	}
	return out
}
