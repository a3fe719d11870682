// Command predict runs sqlref.Extract over a corpus of Athena SQL, one JSON
// object per line on stdin ({"id", "sql", "default_catalog",
// "default_database", ...}), and writes one prediction per line on stdout
// in the shape the corpus's score.py reads: {"id", "parsed", "refs",
// "error"}.
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"

	"github.com/quiltq/quiltq/engine/sqlref"
)

type entry struct {
	ID              string `json:"id"`
	SQL             string `json:"sql"`
	DefaultCatalog  string `json:"default_catalog"`
	DefaultDatabase string `json:"default_database"`
}

type ref struct {
	Catalog  string `json:"catalog"`
	Database string `json:"database"`
	Table    string `json:"table"`
	Access   string `json:"access"`
}

type prediction struct {
	ID     string `json:"id"`
	Parsed bool   `json:"parsed"`
	Refs   []ref  `json:"refs"`
	Error  string `json:"error"`
}

func main() {
	if err := run(os.Stdin, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "predict:", err)
		os.Exit(1)
	}
}

func run(in io.Reader, out io.Writer) error {
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 0, 1<<20), 16<<20)
	w := bufio.NewWriter(out)
	enc := json.NewEncoder(w)
	for line := 1; sc.Scan(); line++ {
		if len(sc.Bytes()) == 0 {
			continue
		}
		var e entry
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			return fmt.Errorf("line %d: %v (want one JSON object per line with id and sql)", line, err)
		}
		p := prediction{ID: e.ID, Refs: []ref{}}
		refs, err := sqlref.Extract(e.SQL, sqlref.Defaults{Catalog: e.DefaultCatalog, Database: e.DefaultDatabase})
		if err != nil {
			p.Error = err.Error()
		} else {
			p.Parsed = true
			for _, r := range refs {
				p.Refs = append(p.Refs, ref{r.Catalog, r.Database, r.Table, string(r.Access)})
			}
		}
		if err := enc.Encode(p); err != nil {
			return err
		}
	}
	if err := sc.Err(); err != nil {
		return err
	}
	return w.Flush()
}
