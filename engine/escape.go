package engine

import (
	"strings"
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
