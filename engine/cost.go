package engine

import (
	"math"
	"strconv"
	"strings"
)

// Cost is Athena's price of a query that scanned scanned bytes, at
// pricePerTB US dollars a terabyte (2^40 bytes): the bytes are rounded up
// to the megabyte, with a 10 MB minimum per query, as Athena's pricing page
// (https://aws.amazon.com/athena/pricing/) bills them. It is the one cost
// of quiltq: `-e`'s --stats and progress line, the workbench's status line
// and its results' statistics all read it.
func Cost(scanned int64, pricePerTB float64) float64 {
	const mb, tb = 1 << 20, 1 << 40
	billed := (max(scanned, 0) + mb - 1) / mb * mb
	billed = max(billed, 10*mb)
	return float64(billed) / tb * pricePerTB
}

// FormatCost writes a price in US dollars with two significant digits
// below a cent ("$0.000048" for Athena's 10 MB minimum at $5/TB, which
// four decimals would show as "$0.0000") and in cents above (.
func FormatCost(usd float64) string {
	switch {
	case usd <= 0 || math.IsNaN(usd):
		return "$0"
	case usd >= 0.01:
		return "$" + strconv.FormatFloat(usd, 'f', 2, 64)
	}
	// Two significant digits: 4.77e-5 has its first digit in the 5th place.
	decimals := 1 - int(math.Floor(math.Log10(usd)))
	return "$" + strings.TrimRight(strconv.FormatFloat(usd, 'f', decimals, 64), "0")
}
