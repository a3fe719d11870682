package engine

import (
	"errors"
	"fmt"
	"testing"
)

func TestPosition(t *testing.T) {
	for _, c := range []struct {
		text      string
		line, col int
		ok        bool
	}{
		{"SYNTAX_ERROR: line 1:8: mismatched input 'FORM'", 1, 8, true},
		{"InvalidRequestException: line 3:15: mismatched input 'x'. Expecting: <EOF>", 3, 15, true},
		{"COLUMN_NOT_FOUND: line 2:1: Column 'x' cannot be resolved", 2, 1, true},
		{"Access denied when writing to location", 0, 0, false},
		{"line 0:0: nonsense", 0, 0, false},
		{"pipeline 1:2: not a position", 0, 0, false},
	} {
		line, col, ok := Position(c.text)
		if line != c.line || col != c.col || ok != c.ok {
			t.Errorf("Position(%q) = %d, %d, %v; want %d, %d, %v", c.text, line, col, ok, c.line, c.col, c.ok)
		}
	}
}

func TestSyntaxOf(t *testing.T) {
	own := &SyntaxError{Line: 1, Column: 1, Message: "expected a statement"}
	wrapped := &Error{Op: "check", Kind: Invalid, Err: own}
	if got := SyntaxOf(wrapped); got != own {
		t.Errorf("SyntaxOf(wrapped) = %v, want the wrapped error", got)
	}
	athena := fmt.Errorf("query failed: %w", errors.New("SYNTAX_ERROR: line 1:1: mismatched input 'SELEC'. Expecting: 'ALTER'"))
	got := SyntaxOf(athena)
	if got == nil || got.Line != 1 || got.Column != 1 || got.Message != "mismatched input 'SELEC'. Expecting: 'ALTER'" {
		t.Errorf("SyntaxOf(athena) = %+v, want line 1:1 and the message after the position", got)
	}
	start := errors.New("operation error Athena: StartQueryExecution, InvalidRequestException: Only one sql statement is allowed. Got: SELECT 1; SELECT 2")
	if got := SyntaxOf(start); got == nil || got.Line != 0 {
		t.Errorf("SyntaxOf(one statement) = %+v, want a syntax error with no position", got)
	}
	for _, err := range []error{nil, errors.New("COLUMN_NOT_FOUND: line 2:1: Column 'x' cannot be resolved"), errors.New("AccessDeniedException")} {
		if got := SyntaxOf(err); got != nil {
			t.Errorf("SyntaxOf(%v) = %+v, want nil", err, got)
		}
	}
	if s := own.Error(); s != "syntax error at line 1:1: expected a statement" {
		t.Errorf("Error() = %q", s)
	}
}
