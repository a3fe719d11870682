package engine

import "testing"

func TestCost(t *testing.T) {
	tests := []struct {
		scanned int64
		want    float64
	}{
		{0, 10.0 / (1 << 20) * 5},          // the 10 MB minimum
		{1, 10.0 / (1 << 20) * 5},          // still the minimum
		{10<<20 + 1, 11.0 / (1 << 20) * 5}, // rounded up to the megabyte
		{1 << 40, 5},                       // one terabyte
		{-1, 10.0 / (1 << 20) * 5},         // nonsense is billed as nothing scanned
	}
	for _, tc := range tests {
		if got := Cost(tc.scanned, 5); got < tc.want*0.999999 || got > tc.want*1.000001 {
			t.Errorf("Cost(%d) = %g, want %g", tc.scanned, got, tc.want)
		}
	}
}

func TestFormatUSD(t *testing.T) {
	tests := []struct {
		usd  float64
		want string
	}{
		{0, "$0.00"},
		{Cost(0, 5), "$0.000048"}, // never $0.0000 for a billed query
		{Cost(3<<20, 5), "$0.000048"},
		{Cost(200<<20, 5), "$0.00095"},
		{0.0488, "$0.0488"},
		{0.5, "$0.5000"},
		{12.3456, "$12.35"},
	}
	for _, tc := range tests {
		if got := FormatUSD(tc.usd); got != tc.want {
			t.Errorf("FormatUSD(%g) = %q, want %q", tc.usd, got, tc.want)
		}
	}
}

func TestBilled(t *testing.T) {
	for _, c := range []struct {
		typ, state string
		scanned    int64
		want       bool
	}{
		{"DML", "SUCCEEDED", 0, true}, // the 10 MB minimum
		{"DML", "RUNNING", 5, true},   // not known yet: what it would cost
		{"", "", 0, true},
		{"DDL", "SUCCEEDED", 1 << 20, false},
		{"DML", "FAILED", 1 << 30, false},
		{"DML", "CANCELLED", 0, false},
		{"DML", "CANCELLED", 1, true},
	} {
		if got := Billed(c.typ, c.state, c.scanned); got != c.want {
			t.Errorf("Billed(%q, %q, %d) = %v, want %v", c.typ, c.state, c.scanned, got, c.want)
		}
	}
}

func TestFormatBytes(t *testing.T) {
	for n, want := range map[int64]string{
		0: "0 B", 1023: "1023 B", 1024: "1.0 KiB", 1536: "1.5 KiB", 2048: "2.0 KiB",
		10 << 20: "10.0 MiB", 5 << 30: "5.0 GiB", 3 << 40: "3.0 TiB", 1<<63 - 1: "8.0 EiB",
	} {
		if got := FormatBytes(n); got != want {
			t.Errorf("FormatBytes(%d) = %q, want %q", n, got, want)
		}
	}
}
