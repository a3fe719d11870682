package engine

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// endless is a reader that never ends, counting what it hands out.
type endless struct {
	b    byte
	read int64
}

func (e *endless) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = e.b
	}
	e.read += int64(len(p))
	return len(p), nil
}

func TestReadLimitedEndless(t *testing.T) {
	for _, tc := range []struct {
		name  string
		limit Limit
		b     byte
		want  []string
	}{
		{"SQL", SQLLimit(), 'x', []string{"stdin is over 16,777,216 bytes", "of SQL", "262,144 bytes per statement"}},
		{"policy of NULs", PolicyLimit(), 0, []string{"stdin is over 1,048,576 bytes", "an IAM policy", "10,240 characters"}},
		{"policy of spaces", PolicyLimit(), ' ', []string{"stdin is over 1,048,576 bytes"}},
		{"error text", ErrorTextLimit(), 'e', []string{"stdin is over 1,048,576 bytes", "an error text", "paste the error message itself"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := &endless{b: tc.b}
			got, err := ReadLimited(r, "stdin", tc.limit)
			if got != nil || !errors.Is(err, ErrTooLarge) || KindOf(err) != Invalid {
				t.Fatalf("got %d bytes, error %v (kind %s); want ErrTooLarge of kind invalid", len(got), err, KindOf(err))
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
			// The reader is read up to the limit and no further (bytes.Buffer
			// asks for at least 512 bytes at a time; LimitReader cuts that).
			if r.read > tc.limit.Bytes+1 {
				t.Errorf("read %d bytes of an endless input, want at most %d", r.read, tc.limit.Bytes+1)
			}
		})
	}
}

func TestReadLimitedEdges(t *testing.T) {
	sql := strings.Repeat("s", MaxSQLBytes)
	if got, err := ReadLimited(strings.NewReader(sql), "f.sql", SQLLimit()); err != nil || len(got) != MaxSQLBytes {
		t.Errorf("SQL of exactly the limit: got %d bytes, %v", len(got), err)
	}
	if _, err := ReadLimited(strings.NewReader(sql+"s"), "f.sql", SQLLimit()); !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), "f.sql is over") {
		t.Errorf("SQL one byte over: got %v", err)
	}
	// IAM counts characters without white space: a policy of the largest
	// size IAM stores passes however it is indented; one character more
	// does not.
	chars := strings.Repeat("a", MaxPolicyChars-2)
	indented := "{\n" + strings.Repeat(" ", 100_000) + chars + "\n\t}"
	if _, err := ReadLimited(strings.NewReader(indented), "p.json", PolicyLimit()); err != nil {
		t.Errorf("an indented policy of %d characters: %v", MaxPolicyChars, err)
	}
	_, err := ReadLimited(strings.NewReader("{"+chars+"é}"), "p.json", PolicyLimit())
	if !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), "p.json holds 10,241 characters") {
		t.Errorf("a policy one character over: got %v", err)
	}
	// A failing reader is not a size error.
	_, err = ReadLimited(&failing{}, "stdin", SQLLimit())
	if err == nil || errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), "read stdin: disk on fire") {
		t.Errorf("a failing reader: got %v", err)
	}
}

type failing struct{}

func (failing) Read([]byte) (int, error) { return 0, errors.New("disk on fire") }

func TestReadFileLimited(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "q.sql")
	if err := os.WriteFile(p, []byte("SELECT 1"), 0o600); err != nil {
		t.Fatal(err)
	}
	if got, err := ReadFileLimited(p, SQLLimit()); err != nil || !bytes.Equal(got, []byte("SELECT 1")) {
		t.Errorf("got %q, %v", got, err)
	}
	_, err := ReadFileLimited(filepath.Join(dir, "nope.sql"), SQLLimit())
	if KindOf(err) != Invalid || err.Error() != "read "+filepath.Join(dir, "nope.sql")+": no such file or directory" {
		t.Errorf("a missing file: got %v", err)
	}
	// /dev/zero never ends: the read stops at the limit.
	if _, err := os.Stat("/dev/zero"); err == nil {
		if _, err := ReadFileLimited("/dev/zero", ErrorTextLimit()); !errors.Is(err, ErrTooLarge) {
			t.Errorf("/dev/zero: got %v", err)
		}
	}
}

func TestCheckStatement(t *testing.T) {
	if err := CheckStatement(strings.Repeat("s", MaxStatementBytes)); err != nil {
		t.Errorf("a statement of exactly the limit: %v", err)
	}
	err := CheckStatement(strings.Repeat("s", MaxStatementBytes+1))
	if KindOf(err) != Invalid || !strings.Contains(err.Error(), "a statement is 262,145 bytes; Athena takes at most 262,144 bytes") {
		t.Errorf("one byte over: got %v", err)
	}
}

func TestCommas(t *testing.T) {
	for n, want := range map[int]string{0: "0", 999: "999", 1000: "1,000", 262144: "262,144", -1234567: "-1,234,567"} {
		if got := commas(n); got != want {
			t.Errorf("commas(%d): got %q, want %q", n, got, want)
		}
	}
}
