package session

import (
	"testing"
)

func TestCost(t *testing.T) {
	tests := []struct {
		scanned int64
		want    float64
	}{
		{0, 10.0 / (1 << 20) * 5},          // the 10 MB minimum
		{10<<20 + 1, 11.0 / (1 << 20) * 5}, // rounded up to the megabyte
		{1 << 40, 5},                       // one terabyte
	}
	for _, tc := range tests {
		if got := Cost(tc.scanned, 5); got < tc.want*0.999999 || got > tc.want*1.000001 {
			t.Errorf("Cost(%d) = %g, want %g", tc.scanned, got, tc.want)
		}
	}
}

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
