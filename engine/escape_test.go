package engine

import (
	"bytes"
	"fmt"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"
)

// hostile are texts a query, a table name, a value or an AWS message can
// carry to a terminal.
var hostile = []struct{ name, in, line, text string }{
	{"plain", "SELECT * FROM sales.orders", "SELECT * FROM sales.orders", "SELECT * FROM sales.orders"},
	{"other scripts kept", "東京 été 🎉 한국어", "東京 été 🎉 한국어", "東京 été 🎉 한국어"},
	{"clear screen", "x\x1b[2J\x1b[Hy", `x\x1b[2J\x1b[Hy`, `x\x1b[2J\x1b[Hy`},
	{"window title (OSC)", "\x1b]0;pwned\x07t", `\x1b]0;pwned\x07t`, `\x1b]0;pwned\x07t`},
	{"8-bit CSI", "a\u009b31mb", `a\u009b31mb`, `a\u009b31mb`},
	{"C1 NEL and DEL", "a\u0085b\x7f", `a\u0085b\x7f`, `a\u0085b\x7f`},
	{"right-to-left override", "users\u202e\u2066txt.exe", `users\u202e\u2066txt.exe`, `users\u202e\u2066txt.exe`},
	{"bytes that are not UTF-8", "ok\xff\x9b[1m", `ok\xff\x9b[1m`, `ok\xff\x9b[1m`},
	{"lines and tabs", "a\nb\tc\r\nd", `a\nb\tc\r\nd`, "a\nb\tc\r\nd"},
	{"carriage return overwrites", "denied\rallowed", `denied\rallowed`, `denied\rallowed`},
	{"NUL and BEL", "\x00\a", `\x00\x07`, `\x00\x07`},
}

func TestEscape(t *testing.T) {
	for _, tc := range hostile {
		if got := Escape(tc.in); got != tc.line {
			t.Errorf("%s: Escape(%q) = %q, want %q", tc.name, tc.in, got, tc.line)
		}
		if got := EscapeText(tc.in); got != tc.text {
			t.Errorf("%s: EscapeText(%q) = %q, want %q", tc.name, tc.in, got, tc.text)
		}
	}
	// Text with nothing to escape is returned as is, without a copy.
	plain := "refused before sending: 1 table reference not granted\n  \"awsdatacatalog\".\"sales\".\"customers\" (read):"
	if n := testing.AllocsPerRun(100, func() { _ = EscapeText(plain) }); n != 0 {
		t.Errorf("EscapeText of plain text allocates %.0f times", n)
	}
}

// unsafeForTerminal names the first character of out a terminal would act
// on besides line feeds and tabs, or "". Its ranges are written out here,
// apart from the code's own.
func unsafeForTerminal(out string) string {
	for i := 0; i < len(out); {
		r, size := utf8.DecodeRuneInString(out[i:])
		switch {
		case r == '\n', r == '\t':
		case r < 0x20 || r == 0x7f:
			return fmt.Sprintf("control byte %#x", r)
		case r == utf8.RuneError && size == 1:
			return fmt.Sprintf("byte %#x, not UTF-8", out[i])
		case r >= 0x80 && r <= 0x9f, r == 0x061c, r == 0x200e, r == 0x200f, r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069:
			return fmt.Sprintf("the character %U", r)
		}
		i += size
	}
	return ""
}

// FuzzEscape: whatever the input (and wherever a writer's input is cut),
// Escape leaves no control character,
// C1 control, bidirectional control or invalid byte, EscapeText none but
// line feeds, tabs and the CR of CR LF; text with nothing to escape comes
// back unchanged; and escaping again changes only the backslashes'
// meaning, never adds a control.
func FuzzEscape(f *testing.F) {
	for i, h := range hostile {
		f.Add(h.in, uint(i))
	}
	f.Fuzz(func(t *testing.T, s string, cut uint) {
		line, text := Escape(s), EscapeText(s)
		if bad := unsafeForTerminal(line); bad != "" || strings.ContainsAny(line, "\n\t") {
			t.Fatalf("Escape(%q) = %q holds %s", s, line, bad)
		}
		if bad := unsafeForTerminal(strings.ReplaceAll(text, "\r\n", "\n")); bad != "" {
			t.Fatalf("EscapeText(%q) = %q holds %s", s, text, bad)
		}
		if unsafeForTerminal(strings.ReplaceAll(s, "\n", "")) == "" && !strings.ContainsAny(s, "\n\t\r") && line != s {
			t.Fatalf("Escape changed safe text %q into %q", s, line)
		}
		if Escape(line) != line {
			t.Fatalf("Escape is not idempotent on its output: %q -> %q", line, Escape(line))
		}
		// Written in two pieces cut anywhere, as EscapeText of the whole.
		var out strings.Builder
		w := NewEscapeWriter(&out)
		at := int(cut % uint(len(s)+1))
		w.Write([]byte(s[:at]))
		w.Write([]byte(s[at:]))
		w.Flush()
		if out.String() != text {
			t.Fatalf("EscapeWriter(%q cut at %d) = %q, want %q", s, at, out.String(), text)
		}
	})
}

// TestEscapeWriter: a stream written in pieces, cut anywhere (inside a
// UTF-8 sequence, between CR and LF), comes out as EscapeText of the
// whole.
func TestEscapeWriter(t *testing.T) {
	var whole strings.Builder
	for _, h := range hostile {
		whole.WriteString(h.in)
		whole.WriteString("\r\n")
	}
	whole.WriteString("é\r")
	text := whole.String()
	want := EscapeText(text)
	for step := 1; step <= 7; step++ {
		var out strings.Builder
		w := NewEscapeWriter(&out)
		for i := 0; i < len(text); i += step {
			n, err := w.Write([]byte(text[i:min(i+step, len(text))]))
			if err != nil || n != min(step, len(text)-i) {
				t.Fatalf("Write: %d, %v", n, err)
			}
		}
		if err := w.Flush(); err != nil {
			t.Fatal(err)
		}
		if out.String() != want {
			t.Errorf("written %d bytes at a time:\ngot  %q\nwant %q", step, out.String(), want)
		}
	}
}

// Writers on several goroutines (the SDK's retry hook, the command) share
// one EscapeWriter on stderr: every line arrives whole, and -race sees no
// race.
func TestEscapeWriterConcurrent(t *testing.T) {
	var buf bytes.Buffer
	w := NewEscapeWriter(&buf)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 100 {
				fmt.Fprintf(w, "goroutine %d says é\x1b\n", g)
			}
		}()
	}
	wg.Wait()
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
	if len(lines) != 800 {
		t.Fatalf("%d lines, want 800", len(lines))
	}
	for _, l := range lines {
		if !strings.HasPrefix(l, "goroutine ") || !strings.HasSuffix(l, ` says é\x1b`) {
			t.Fatalf("a line was cut or mixed: %q", l)
		}
	}
}
