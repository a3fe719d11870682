package print

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/quiltq/quiltq/engine"
)

// TestTerminalFormatsEscape: the table and markdown formats write no
// control character a terminal would act on, whatever the names and
// values; csv and json keep the values exact (they are for programs).
func TestTerminalFormatsEscape(t *testing.T) {
	cols := []engine.Column{{Name: "n\x1b[31m", Type: "varchar"}, {Name: "v", Type: "varchar"}}
	var rows []engine.Row
	for _, h := range []struct{ name, in string }{
		{"clear screen", "x\x1b[2J\x1b[Hy"}, {"8-bit CSI", "a\u009b31mb"}, {"right-to-left override", "users\u202e\u2066txt.exe"},
		{"not UTF-8", "ok\xff\x9b[1m"}, {"bell", "\a"}, {"lines and tabs", "a\nb\tc\r\nd\re"},
	} {
		rows = append(rows, row(text(h.name), text(h.in)))
	}
	for _, format := range []string{"table", "markdown"} {
		out := render(t, format, Options{}, cols, rows)
		if bad := unsafeForTerminal(out); bad != "" {
			t.Errorf("%s output holds %s:\n%s", format, bad, out)
		}
		for _, want := range []string{`n\x1b[31m`, `x\x1b[2J\x1b[Hy`, `a\u009b31mb`, `users\u202e\u2066txt.exe`} {
			if !strings.Contains(out, want) {
				t.Errorf("%s output lacks %s:\n%s", format, want, out)
			}
		}
	}
	if out := render(t, "csv", Options{}, cols, rows); !strings.Contains(out, "\x1b[2J") {
		t.Errorf("csv changed a value: %q", out)
	}
}

// unsafeForTerminal names the first character of out a terminal would act
// on besides line feeds and tabs, or "".
func unsafeForTerminal(out string) string {
	for i := 0; i < len(out); {
		r, size := utf8.DecodeRuneInString(out[i:])
		switch {
		case r == '\n', r == '\t':
		case r < 0x20 || r == 0x7f:
			return "control byte " + engine.Escape(string(r))
		case r >= 0x80 && engine.Escape(out[i:i+size]) != out[i:i+size]:
			return "the character " + engine.Escape(out[i:i+size])
		}
		i += size
	}
	return ""
}
