package stack

import (
	"bytes"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"io"
	"strings"
	"testing"
)

// benchSHA256 pins the generator's output for 10,000 rows: a change to
// BenchCSV that changes its bytes must change this on purpose.
const benchSHA256 = "5c6d6e178ebdff6dccff099a187e7f114d105c0f50d72c8b0379c29a9bc7c966"

func TestBenchCSVDeterministic(t *testing.T) {
	a, b := BenchCSV(10_000), BenchCSV(10_000)
	if !bytes.Equal(a, b) {
		t.Fatal("BenchCSV gave different bytes on two calls")
	}
	sum := sha256.Sum256(a)
	if got := hex.EncodeToString(sum[:]); got != benchSHA256 {
		t.Errorf("sha256 of BenchCSV(10000) = %s, want %s", got, benchSHA256)
	}
	if !bytes.HasPrefix(BenchCSV(20_000), a) {
		t.Errorf("the first 10,000 rows differ when 20,000 are asked for")
	}
}

func TestBenchCSVContent(t *testing.T) {
	const rows = 20_000
	r := csv.NewReader(bytes.NewReader(BenchCSV(rows)))
	r.FieldsPerRecord = len(BenchColumns())
	var n, nulls, emptyStrings, emptyNonString, quotes, commas, newlines int
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("row %d: %v", n+1, err)
		}
		n++
		for i, f := range rec {
			stringCol := BenchColumns()[i].Type == "string"
			switch {
			case f == `\N`:
				nulls++
			case f == "" && stringCol:
				emptyStrings++
			case f == "":
				emptyNonString++
			}
			quotes += strings.Count(f, `"`)
			commas += strings.Count(f, ",")
			newlines += strings.Count(f, "\n")
		}
	}
	if n != rows {
		t.Errorf("parsed %d rows, want %d", n, rows)
	}
	for name, c := range map[string]int{"\\N": nulls, "empty strings": emptyStrings, "empty non-string fields (NULL)": emptyNonString, "quotes": quotes, "commas": commas, "newlines": newlines} {
		if c < rows/200 {
			t.Errorf("only %d %s in %d rows", c, name, rows)
		}
	}
}

// TestBenchTableThroughStore checks what the sandbox serves: Populate
// registers the data lazily, and the object parses to BenchRows rows.
func TestBenchTableThroughStore(t *testing.T) {
	st, store := populated(t, 30_000)
	var found bool
	for _, d := range st.Databases {
		for _, tb := range d.Tables {
			found = found || d.Name == BenchDatabase && tb.Name == BenchTable && len(tb.Columns) == 10
		}
	}
	if !found {
		t.Fatalf("Populate did not add %s.%s to the catalog", BenchDatabase, BenchTable)
	}
	o, err := store.Get(st.BenchBucket(), BenchKey)
	if err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(bytes.NewReader(o.Data)).ReadAll()
	if err != nil || len(recs) != st.BenchRows {
		t.Errorf("got %d rows (%v), want %d", len(recs), err, st.BenchRows)
	}
}

func BenchmarkBenchCSV(b *testing.B) {
	for b.Loop() {
		data := BenchCSV(1_000_000)
		b.SetBytes(int64(len(data)))
	}
}
