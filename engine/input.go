package engine

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"unicode"
	"unicode/utf8"
)

// The size limits of what quiltq reads from users. Each is enforced while
// reading (ReadLimited), so that an input that never ends (/dev/zero, a
// pipe that keeps writing) fails at the limit instead of filling memory.
const (
	// MaxStatementBytes is Athena's limit on one statement:
	// StartQueryExecution's QueryString is at most 262,144 bytes, a limit
	// AWS does not raise (Athena API reference, StartQueryExecution,
	// QueryString length constraints; AWS knowledge center,
	// "athena-query-string-length").
	MaxStatementBytes = 262144
	// MaxSQLBytes bounds SQL read from a file or stdin, which may hold a
	// script of several statements: 64 statements at Athena's limit.
	MaxSQLBytes = 64 * MaxStatementBytes
	// MaxPolicyChars is the largest identity policy IAM stores, counted as
	// IAM counts, without white space: a role's inline policies together
	// hold at most 10,240 characters, a managed policy 6,144 (IAM User
	// Guide, "IAM and AWS STS quotas", character quotas for inline and
	// managed policies).
	MaxPolicyChars = 10240
	// MaxPolicyBytes bounds a policy file whatever its indentation.
	MaxPolicyBytes = 1 << 20
	// MaxErrorTextBytes bounds an error text pasted to be explained: AWS
	// error messages are a few hundred bytes, a CLI's or an SDK's output
	// with its stack a few kilobytes; a mebibyte leaves room for a whole
	// log pasted around the error.
	MaxErrorTextBytes = 1 << 20
)

// Limit is the size limit of one kind of input.
type Limit struct {
	// What the input is, for the message: "SQL", "an IAM policy".
	What string
	// Bytes is how many bytes are read at most.
	Bytes int64
	// Chars, when not zero, bounds the characters that are not white
	// space, as IAM counts a policy's size.
	Chars int
	// Advice says what to do about an input over the limit.
	Advice string
}

// SQLLimit is the limit of SQL read from a file or stdin.
func SQLLimit() Limit {
	return Limit{What: "SQL", Bytes: MaxSQLBytes,
		Advice: "Athena takes at most " + commas(MaxStatementBytes) + " bytes per statement: split the script into several files"}
}

// PolicyLimit is the limit of one IAM policy document.
func PolicyLimit() Limit {
	return Limit{What: "an IAM policy", Bytes: MaxPolicyBytes, Chars: MaxPolicyChars,
		Advice: "IAM stores no identity policy larger than " + commas(MaxPolicyChars) + " characters (white space aside): give one policy document per file"}
}

// ErrorTextLimit is the limit of an error text given to be explained.
func ErrorTextLimit() Limit {
	return Limit{What: "an error text", Bytes: MaxErrorTextBytes,
		Advice: "paste the error message itself, not the whole log around it"}
}

// ErrTooLarge is matched (errors.Is) by the error of an input over its
// limit.
var ErrTooLarge = errors.New("input over its size limit")

// ReadLimited reads r to its end and returns what it read, failing with an
// *Error of Kind Invalid as soon as more than l allows has arrived; at
// most l.Bytes+1 bytes are ever held. name says where the input came from
// ("stdin", a file name).
func ReadLimited(r io.Reader, name string, l Limit) ([]byte, error) {
	op := "read " + name
	var buf bytes.Buffer
	n, err := buf.ReadFrom(io.LimitReader(r, l.Bytes+1))
	if err != nil {
		// The op names the input: the *PathError's own "read PATH" would
		// say it twice.
		return nil, &Error{Op: op, Kind: Other, Err: unwrapPath(err)}
	}
	if n > l.Bytes {
		return nil, &Error{Op: op, Kind: Invalid, Err: fmt.Errorf("%w: %s is over %s bytes, more than quiltq reads of %s; %s",
			ErrTooLarge, name, commas(int(l.Bytes)), l.What, l.Advice)}
	}
	if l.Chars > 0 {
		if c := countChars(buf.Bytes()); c > l.Chars {
			return nil, &Error{Op: op, Kind: Invalid, Err: fmt.Errorf("%w: %s holds %s characters besides white space, more than %s allows (%s); %s",
				ErrTooLarge, name, commas(c), l.What, commas(l.Chars), l.Advice)}
		}
	}
	return buf.Bytes(), nil
}

// ReadLimitedContext reads r as ReadLimited does, and returns at once with
// an *Error of Kind Canceled when ctx ends first: a signal while quiltq
// waits on a slow pipe ends the command, where a plain Read would block
// until the writer wrote or closed. The read itself goes on in the
// background until r returns (a blocked Read cannot be taken back); it
// still holds at most l.Bytes+1 bytes, and the command is ending.
func ReadLimitedContext(ctx context.Context, r io.Reader, name string, l Limit) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, &Error{Op: "read " + name, Kind: Canceled, Err: err}
	}
	type result struct {
		b   []byte
		err error
	}
	done := make(chan result, 1)
	go func() {
		b, err := ReadLimited(r, name, l)
		done <- result{b, err}
	}()
	select {
	case res := <-done:
		return res.b, res.err
	case <-ctx.Done():
		return nil, &Error{Op: "read " + name, Kind: Canceled, Err: ctx.Err()}
	}
}

// ReadFileLimitedContext opens path and reads it with ReadLimitedContext
// (a FIFO or /dev/stdin can be as slow as a pipe).
func ReadFileLimitedContext(ctx context.Context, path string, l Limit) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, &Error{Op: "read " + path, Kind: Canceled, Err: err}
	}
	f, err := openContext(ctx, path)
	if err != nil {
		return nil, err
	}
	b, err := ReadLimitedContext(ctx, f, path, l)
	if KindOf(err) != Canceled {
		// Canceled, the read may still be under way: the file stays open
		// for it (the command is ending).
		f.Close()
	}
	return b, err
}

// openContext opens path, giving up when ctx ends first: opening a FIFO
// blocks until a writer opens it.
func openContext(ctx context.Context, path string) (*os.File, error) {
	type result struct {
		f   *os.File
		err error
	}
	done := make(chan result, 1)
	go func() {
		f, err := os.Open(path)
		done <- result{f, err}
	}()
	select {
	case res := <-done:
		if res.err != nil {
			return nil, &Error{Op: "read " + path, Kind: Invalid, Err: unwrapPath(res.err)}
		}
		return res.f, nil
	case <-ctx.Done():
		// A late open is closed as it arrives.
		go func() {
			if res := <-done; res.f != nil {
				res.f.Close()
			}
		}()
		return nil, &Error{Op: "read " + path, Kind: Canceled, Err: ctx.Err()}
	}
}

// ReadFileLimited opens path and reads it with ReadLimited; the error of a
// file that cannot be opened names it.
func ReadFileLimited(path string, l Limit) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, &Error{Op: "read " + path, Kind: Invalid, Err: unwrapPath(err)}
	}
	defer f.Close()
	return ReadLimited(f, path, l)
}

// unwrapPath drops the *fs.PathError around an open error: the op and
// path are said once, by the caller.
func unwrapPath(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// countChars counts the runes of b that are not white space (an invalid
// byte counts as one).
func countChars(b []byte) int {
	n := 0
	for len(b) > 0 {
		r, size := utf8.DecodeRune(b)
		b = b[size:]
		if !unicode.IsSpace(r) {
			n++
		}
	}
	return n
}

// commas writes n with thousands separators: 262144 as "262,144".
func commas(n int) string {
	s := strconv.Itoa(n)
	neg := s[0] == '-'
	if neg {
		s = s[1:]
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	if neg {
		s = "-" + s
	}
	return s
}

// CheckStatement refuses one statement longer than Athena takes
// (MaxStatementBytes), before anything is sent, with the same words
// wherever the statement came from.
func CheckStatement(sql string) error {
	if len(sql) <= MaxStatementBytes {
		return nil
	}
	return &Error{Op: "check the statement", Kind: Invalid, Err: fmt.Errorf("%w: a statement is %s bytes; Athena takes at most %s bytes per statement: shorten it (move long literal lists into a table)",
		ErrTooLarge, commas(len(sql)), commas(MaxStatementBytes))}
}
