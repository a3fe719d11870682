package print

import (
	"bytes"
	"strings"
	"testing"
	"testing/iotest"
)

func TestCopyCSV(t *testing.T) {
	const file = "\"a\",\"b\"\n\"1\",\"x\ny\"\n,\"\"\"q\"\"\"\n\"3\",\"\"\n"
	tests := []struct {
		name      string
		noHeader  bool
		limit     int64
		want      string
		rows      int64
		truncated bool
	}{
		{"all", false, 0, file, 3, false},
		{"no header", true, 0, "\"1\",\"x\ny\"\n,\"\"\"q\"\"\"\n\"3\",\"\"\n", 3, false},
		{"limit 1 keeps the newline inside a value", false, 1, "\"a\",\"b\"\n\"1\",\"x\ny\"\n", 1, true},
		{"limit 2 past a doubled quote", true, 2, "\"1\",\"x\ny\"\n,\"\"\"q\"\"\"\n", 2, true},
		{"limit equal to the rows", false, 3, file, 3, false},
		{"limit above the rows", false, 9, file, 3, false},
	}
	for _, tc := range tests {
		for _, reader := range []string{"whole", "one byte at a time"} {
			var out bytes.Buffer
			r := strings.NewReader(file)
			var rows int64
			var truncated bool
			var err error
			if reader == "whole" {
				rows, truncated, err = CopyCSV(r, &out, tc.noHeader, tc.limit, true)
			} else {
				rows, truncated, err = CopyCSV(iotest.OneByteReader(r), &out, tc.noHeader, tc.limit, true)
			}
			if err != nil || out.String() != tc.want || rows != tc.rows || truncated != tc.truncated {
				t.Errorf("%s, %s: got %q, %d rows, truncated %v, %v; want %q, %d, %v", tc.name, reader, out.String(), rows, truncated, err, tc.want, tc.rows, tc.truncated)
			}
		}
	}
	// Nothing to change and nothing to count: a plain copy.
	var out bytes.Buffer
	if rows, _, err := CopyCSV(strings.NewReader(file), &out, false, 0, false); err != nil || rows != -1 || out.String() != file {
		t.Errorf("plain copy: %q, %d, %v", out.String(), rows, err)
	}
	// A last record without its newline still counts.
	out.Reset()
	if rows, _, err := CopyCSV(strings.NewReader("\"a\"\n\"1\"\n\"2\""), &out, true, 0, true); err != nil || rows != 2 || out.String() != "\"1\"\n\"2\"" {
		t.Errorf("no final newline: %q, %d, %v", out.String(), rows, err)
	}
	// A read error is returned, not a short success.
	out.Reset()
	if _, _, err := CopyCSV(iotest.TimeoutReader(strings.NewReader(file)), &out, true, 0, true); err == nil {
		t.Error("a read error was swallowed")
	}
}
