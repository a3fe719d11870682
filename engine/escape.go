package engine

import (
	"io"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

// hexDigits writes escapes.
const hexDigits = "0123456789abcdef"

// Escape returns s as one line that is safe to show on a terminal: every
// control character is written as an escape (`\n`, `\t`, `\r`, `\x1b`,
// `\u009b`), so that text from a query, a table name, a value or an AWS
// message can neither move the cursor, recolour, retitle or clear the
// terminal (ESC and CSI sequences), nor break the line it is shown on.
// The Unicode controls that reorder text (the bidirectional embeddings,
// overrides and isolates) are escaped too, as are bytes that are not
// UTF-8 (`\xff`), since they could pass for C1 controls on a terminal
// that does not decode UTF-8. Everything else, in any script, is kept.
//
// It is the one escaping rule of text meant for a terminal: ui/print's
// table and markdown cells, names the engine puts into its messages (a
// refused table in a grants refusal), and, in the front ends, every text
// written to stderr (see EscapeText). It lives here, with the shared
// types, because both the engine and the front ends need it. Data formats
// (csv, tsv, json) are never escaped this way: they are read by programs.
// Only a string that holds something to escape pays for a copy.
func Escape(s string) string { return escape(s, false) }

// EscapeText is Escape for a text of several lines, such as an error
// message or a refusal listing: line feeds and tabs are kept, a CR LF is
// kept as a line break, and everything else Escape escapes is escaped
// (a lone CR, which would let a line overwrite itself, included).
func EscapeText(s string) string { return escape(s, true) }

func escape(s string, text bool) string {
	i := 0
	for i < len(s) {
		c := s[i]
		if c >= 0x20 && c < 0x7F || text && (c == '\n' || c == '\t') {
			i++
			continue
		}
		if c >= 0x80 {
			r, size := utf8.DecodeRuneInString(s[i:])
			if !needsEscape(r, size) {
				i += size
				continue
			}
		}
		if text && c == '\r' && i+1 < len(s) && s[i+1] == '\n' {
			i += 2
			continue
		}
		break
	}
	if i == len(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	b.WriteString(s[:i])
	b.Write(AppendEscaped(nil, s[i:], text))
	return b.String()
}

// AppendEscaped appends s to b escaped as Escape does (text false) or as
// EscapeText does (text true), for writers that build lines in a buffer.
func AppendEscaped(b []byte, s string, text bool) []byte {
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c >= 0x20 && c < 0x7F:
			b = append(b, c)
			i++
			continue
		case text && (c == '\n' || c == '\t'):
			b = append(b, c)
			i++
			continue
		case text && c == '\r' && i+1 < len(s) && s[i+1] == '\n':
			b = append(b, '\r', '\n')
			i += 2
			continue
		case c == '\n':
			b = append(b, '\\', 'n')
		case c == '\t':
			b = append(b, '\\', 't')
		case c == '\r':
			b = append(b, '\\', 'r')
		case c < 0x80:
			b = append(b, '\\', 'x', hexDigits[c>>4], hexDigits[c&0xF])
		default:
			r, size := utf8.DecodeRuneInString(s[i:])
			switch {
			case r == utf8.RuneError && size == 1:
				b = append(b, '\\', 'x', hexDigits[c>>4], hexDigits[c&0xF])
			case needsEscape(r, size):
				b = append(b, '\\', 'u', hexDigits[r>>12&0xF], hexDigits[r>>8&0xF], hexDigits[r>>4&0xF], hexDigits[r&0xF])
			default:
				b = append(b, s[i:i+size]...)
			}
			i += size
			continue
		}
		i++
	}
	return b
}

// needsEscape reports whether the non-ASCII rune r (of size bytes in the
// text, as utf8.DecodeRune returns them) must be escaped: an invalid
// byte, a C1 control (U+0080 to U+009F; U+009B is CSI), or a
// bidirectional formatting character (Unicode's Bidi_Control: U+061C,
// U+200E, U+200F, U+202A to U+202E, U+2066 to U+2069), which makes a
// terminal show text in another order than it is.
func needsEscape(r rune, size int) bool {
	return r == utf8.RuneError && size == 1 || unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r)
}

// EscapeWriter writes what it is given escaped as EscapeText escapes it,
// so that a front end can make a whole stream safe for a terminal at
// once (stderr, where error texts, AWS messages and names go). A UTF-8
// sequence or a CR LF split between two writes is held until the next,
// so the output is the same however the text is cut; Flush writes what is
// held. It is safe for concurrent use: stderr is written from the SDK's
// retry hook and the progress line's goroutine as well as the command's.
type EscapeWriter struct {
	mu   sync.Mutex
	w    io.Writer
	held []byte
}

// NewEscapeWriter returns an EscapeWriter writing to w.
func NewEscapeWriter(w io.Writer) *EscapeWriter { return &EscapeWriter{w: w} }

// Write escapes p and writes it, keeping back at most an incomplete UTF-8
// sequence or a final CR. It reports len(p) written unless w fails.
func (e *EscapeWriter) Write(p []byte) (int, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	buf := append(e.held, p...)
	cut := len(buf)
	// An incomplete sequence at the end: at most utf8.UTFMax-1 bytes.
	for i := len(buf) - 1; i >= 0 && i >= len(buf)-(utf8.UTFMax-1); i-- {
		if utf8.RuneStart(buf[i]) {
			if buf[i] >= utf8.RuneSelf && !utf8.FullRune(buf[i:]) {
				cut = i
			}
			break
		}
	}
	if cut == len(buf) && cut > 0 && buf[cut-1] == '\r' {
		cut-- // a CR LF may be split
	}
	out := AppendEscaped(nil, string(buf[:cut]), true)
	e.held = append(e.held[:0:0], buf[cut:]...)
	if _, err := e.w.Write(out); err != nil {
		return 0, err
	}
	return len(p), nil
}

// Flush writes what Write held back, escaped.
func (e *EscapeWriter) Flush() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if len(e.held) == 0 {
		return nil
	}
	out := AppendEscaped(nil, string(e.held), true)
	e.held = nil
	_, err := e.w.Write(out)
	return err
}
