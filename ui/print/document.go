package print

import (
	"encoding/json"
	"io"
)

// This file writes the --json output of quiltq's commands other than a
// query's rows: one JSON document a command's result, for a program to
// read.

// JSON writes v as one indented JSON document (ls, describe, check,
// config, whoami).
func JSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// JSONLine writes v as JSON on one line (doctor, explain), for a program
// that reads a line at a time.
func JSONLine(w io.Writer, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	b = append(b, '\n')
	_, err = w.Write(b)
	return err
}
