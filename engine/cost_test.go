package engine

import "testing"

func TestCost(t *testing.T) {
	const mb = 1 << 20
	for _, c := range []struct {
		scanned int64
		want    float64
	}{
		{0, 10.0 / (1 << 20) * 5},         // the 10 MB minimum
		{3 * mb, 10.0 / (1 << 20) * 5},    // still the minimum
		{10*mb + 1, 11.0 / (1 << 20) * 5}, // rounded up to the megabyte
		{1 << 40, 5},                      // one terabyte
		{-1, 10.0 / (1 << 20) * 5},        // nonsense is billed as nothing scanned
	} {
		if got := Cost(c.scanned, 5); got < c.want*0.999999 || got > c.want*1.000001 {
			t.Errorf("Cost(%d, 5) = %g, want %g", c.scanned, got, c.want)
		}
	}
}

func TestFormatCost(t *testing.T) {
	for _, c := range []struct {
		usd  float64
		want string
	}{
		{Cost(0, 5), "$0.000048"}, // never "$0.0000" for a billed query
		{Cost(1<<30, 5), "$0.0049"},
		{0.25, "$0.25"},
		{12.4, "$12.40"},
		{0.01, "$0.01"},
		{0.0001, "$0.0001"}, // no trailing zero
		{0, "$0"},
	} {
		if got := FormatCost(c.usd); got != c.want {
			t.Errorf("FormatCost(%g) = %q, want %q", c.usd, got, c.want)
		}
	}
}
