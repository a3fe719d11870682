package editor

import (
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
)

// Defect 1 of issue 12: a bracketed paste from tmux, xterm or VTE has CR
// between its lines; it landed on line 1 with the CRs in it. Every line
// ending becomes a line, and no control character reaches the buffer.
func TestPasteLineEndingsAndControls(t *testing.T) {
	tests := []struct {
		name, paste string
		want        []string
	}{
		{"CR (tmux, xterm, VTE)", "SELECT a,\r  b\rFROM t", []string{"SELECT a,", "  b", "FROM t"}},
		{"CRLF", "SELECT a,\r\n  b\r\nFROM t\r\n", []string{"SELECT a,", "  b", "FROM t", ""}},
		{"LF", "SELECT a,\n  b\nFROM t", []string{"SELECT a,", "  b", "FROM t"}},
		{"mixed", "a\rb\r\nc\nd", []string{"a", "b", "c", "d"}},
		{"tabs become the indent", "SELECT\r\ta,\r\t\tb", []string{"SELECT", "  a,", "    b"}},
		{"escape sequences and other controls dropped", "SELECT\x1b[31m 1\x1b[0m\x07\x00\x7f\u009b AS x\x1b]0;title\x07", []string{"SELECT 1 AS x"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := newEditor(60, 8)
			m, _ = m.Update(tea.PasteMsg{Content: tt.paste})
			if got := m.lines; strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Fatalf("pasting %q gives lines %q, want %q", tt.paste, got, tt.want)
			}
			for i, l := range m.lines {
				for _, r := range l {
					if r < 0x20 || r == 0x7f || r >= 0x80 && r < 0xa0 {
						t.Fatalf("line %d %q holds control character %U", i+1, l, r)
					}
				}
			}
			row, _ := m.Cursor()
			if row != len(tt.want)-1 {
				t.Errorf("the cursor is on line %d after the paste, want the last line %d", row+1, len(tt.want))
			}
		})
	}
}
