package engine

import (
	"fmt"
	"math"
	"strconv"
)

// MinBilledBytes is the least Athena bills a query for: 10 MB.
const MinBilledBytes = 10 << 20

// BilledBytes is what Athena bills a query that scanned scanned bytes
// for: rounded up to the megabyte, at least 10 MB. (Athena's pricing
// page: "rounded up to the nearest megabyte, with a 10 MB minimum per
// query"; DDL statements and failed queries are not billed, cancelled
// ones are billed for what they scanned: callers that know the statement
// or the state decide whether a query was billed at all.)
func BilledBytes(scanned int64) int64 {
	const mb = 1 << 20
	billed := (max(scanned, 0) + mb - 1) / mb * mb
	return max(billed, MinBilledBytes)
}

// Cost is Athena's price in US dollars for a query that scanned scanned
// bytes, at pricePerTB dollars per terabyte (2^40 bytes): the one cost
// function of quiltq, used by `-e --stats`, the status line and the
// results' statistics line.
func Cost(scanned int64, pricePerTB float64) float64 {
	const tb = 1 << 40
	return float64(BilledBytes(scanned)) / tb * pricePerTB
}

// Billed reports whether Athena bills a query of statementType
// (QueryExecution.StatementType: DML, DDL, UTILITY) that ended in state
// (or is in it) having scanned scanned bytes. Athena's pricing bills
// neither DDL statements (CREATE, ALTER, DROP, partition management)
// nor failed queries; a cancelled query is billed for the data it
// scanned before it stopped, so one stopped before it scanned anything
// is counted as not billed (Athena's pricing page, as summed up by
// https://rcpedia.stanford.edu/services/athena.html and
// https://awsnegotiations.com/athena-query-cost-reduction.html: "no
// charges for Data Definition Language (DDL) statements", "failed
// queries are free", cancelled queries "still bill scanned bytes").
// A state or type not known yet ("") is billed: the cost shown while a
// query runs is what it would cost were it to succeed.
func Billed(statementType, state string, scanned int64) bool {
	switch {
	case statementType == "DDL", state == "FAILED":
		return false
	case state == "CANCELLED":
		return scanned > 0
	}
	return true
}

// FormatUSD writes an amount of US dollars so that a billed query never
// reads "$0.0000": below a cent it keeps two significant digits
// ($0.000048 for the 10 MB minimum at $5/TB), below a dollar four
// decimals ($0.0488), from a dollar on cents ($12.34).
func FormatUSD(usd float64) string {
	switch a := math.Abs(usd); {
	case usd == 0:
		return "$0.00"
	case a < 0.01:
		scale := math.Pow(10, 1-math.Floor(math.Log10(a))) // two significant digits
		return "$" + strconv.FormatFloat(math.Round(usd*scale)/scale, 'f', -1, 64)
	case a < 1:
		return "$" + strconv.FormatFloat(usd, 'f', 4, 64)
	}
	return "$" + strconv.FormatFloat(usd, 'f', 2, 64)
}

// FormatBytes writes n bytes in binary units, as Cost counts them: 512 B,
// 1.5 KiB, 10.0 MiB. The session's messages and the workbench's status
// line word sizes alike through it.
func FormatBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit && exp < 5; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}
