package session

import (
	"testing"
)

func TestSplitStatements(t *testing.T) {
	got, err := SplitStatements("SELECT 1; -- only a comment\n; SELECT ';' ; /* c */")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0] != "SELECT 1" || got[1] != "SELECT ';'" {
		t.Errorf("got %q", got)
	}
	if _, err := SplitStatements("SELECT 'unterminated"); err == nil {
		t.Error("an unterminated string was accepted")
	}
}
