package editor

import (
	"strings"
	"unicode/utf8"
)

// pos is a place in the buffer: a line and a byte offset in it.
type pos struct{ row, col int }

func (a pos) before(b pos) bool { return a.row < b.row || a.row == b.row && a.col < b.col }

func (m Model) cur() pos { return pos{m.row, m.col} }

func (m *Model) setCur(p pos) { m.row, m.col = p.row, p.col }

// selection is the selected range, ordered; ok is false when nothing is
// selected (no anchor, or the anchor at the cursor).
func (m Model) selection() (a, b pos, ok bool) {
	if !m.sel {
		return pos{}, pos{}, false
	}
	a, b = m.anchor, m.cur()
	if b.before(a) {
		a, b = b, a
	}
	// An anchor left beyond the text by an edit elsewhere is brought back.
	a = m.clamp(a)
	b = m.clamp(b)
	return a, b, a != b
}

func (m Model) clamp(p pos) pos {
	p.row = max(min(p.row, len(m.lines)-1), 0)
	p.col = max(min(p.col, len(m.lines[p.row])), 0)
	return p
}

// textIn is the text between a and b (a before b).
func (m Model) textIn(a, b pos) string {
	if a.row == b.row {
		return m.lines[a.row][a.col:b.col]
	}
	var sb strings.Builder
	sb.WriteString(m.lines[a.row][a.col:])
	for r := a.row + 1; r < b.row; r++ {
		sb.WriteByte('\n')
		sb.WriteString(m.lines[r])
	}
	sb.WriteByte('\n')
	sb.WriteString(m.lines[b.row][:b.col])
	return sb.String()
}

// deleteRange removes the text between a and b (a before b); the cursor
// ends at a and the selection is dropped.
func (m *Model) deleteRange(a, b pos) {
	if a.row == b.row {
		line := m.lines[a.row]
		m.lines[a.row] = line[:a.col] + line[b.col:]
	} else {
		joined := m.lines[a.row][:a.col] + m.lines[b.row][b.col:]
		nl := make([]string, 0, len(m.lines)-(b.row-a.row))
		nl = append(nl, m.lines[:a.row]...)
		nl = append(nl, joined)
		nl = append(nl, m.lines[b.row+1:]...)
		m.lines = nl
	}
	m.setCur(a)
	m.sel = false
	m.setWant()
}

// replaceSelection puts s in place of the selection, or at the cursor
// when there is none; the cursor ends after it.
func (m *Model) replaceSelection(s string) {
	if a, b, ok := m.selection(); ok {
		m.deleteRange(a, b)
	}
	m.sel = false
	m.insert(s)
	m.setWant()
}

// insert puts s at the cursor, which ends after it.
func (m *Model) insert(s string) {
	line := m.lines[m.row]
	before, after := line[:m.col], line[m.col:]
	parts := strings.Split(s, "\n")
	if len(parts) == 1 {
		m.lines[m.row] = before + s + after
		m.col += len(s)
		return
	}
	nl := make([]string, 0, len(m.lines)+len(parts)-1)
	nl = append(nl, m.lines[:m.row]...)
	nl = append(nl, before+parts[0])
	nl = append(nl, parts[1:len(parts)-1]...)
	lastPart := parts[len(parts)-1]
	nl = append(nl, lastPart+after)
	nl = append(nl, m.lines[m.row+1:]...)
	m.lines = nl
	m.row += len(parts) - 1
	m.col = len(lastPart)
}

// join joins the cursor's line with the next.
func (m *Model) join() {
	m.lines[m.row] += m.lines[m.row+1]
	m.lines = append(m.lines[:m.row+1], m.lines[m.row+2:]...)
}

// push records the text before an edit of kind k, for undo. It counts the
// change even when the edit joins the undo step before it.
func (m *Model) push(k editKind) {
	m.rev++
	if k == editWord && m.last == editWord ||
		k == editSpace && (m.last == editWord || m.last == editTyped || m.last == editSpace) {
		m.last = k // a word after spaces starts a step of its own
		return
	}
	m.last = k
	m.undo = append(m.undo, m.snap())
	if len(m.undo) > maxUndo {
		m.undo = append(m.undo[:0:0], m.undo[len(m.undo)-maxUndo:]...)
	}
	m.redo = m.redo[:0]
}

func (m Model) snap() snapshot {
	return snapshot{lines: append([]string(nil), m.lines...), row: m.row, col: m.col}
}

func (m *Model) restore(s snapshot) {
	m.lines, m.row, m.col = s.lines, s.row, s.col
}

// offsetOf is p as a byte offset into Value().
func (m Model) offsetOf(p pos) int {
	off := 0
	for r := 0; r < p.row && r < len(m.lines); r++ {
		off += len(m.lines[r]) + 1
	}
	return off + p.col
}

// posOf is the place of byte offset off of Value() (clamped to the text,
// and back to the start of a character).
func (m Model) posOf(off int) pos {
	off = max(off, 0)
	for r, l := range m.lines {
		if off <= len(l) {
			for off > 0 && off < len(l) && !utf8.RuneStart(l[off]) {
				off--
			}
			return pos{r, off}
		}
		off -= len(l) + 1
	}
	last := len(m.lines) - 1
	return pos{last, len(m.lines[last])}
}

// clean makes text fit for the buffer, wherever it comes from (a paste, a
// file, a saved query): CR LF, lone CR (what xterm, VTE and tmux send
// between pasted lines) and LF all end a line; a tab becomes the indent
// unit; escape sequences and every other control character are dropped,
// so that nothing pasted can reach the screen as a command to the
// terminal.
func clean(s string) string {
	if !needsCleaning(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			// Not UTF-8: dropped.
		case r == '\r':
			b.WriteByte('\n')
			if i+1 < len(s) && s[i+1] == '\n' {
				n++
			}
		case r == '\n':
			b.WriteByte('\n')
		case r == '\t':
			b.WriteString(indentUnit)
		case r == 0x1b:
			n = escapeLen(s[i:])
		case r < 0x20 || r == 0x7f || r >= 0x80 && r < 0xa0:
			// Other C0 and C1 controls: dropped.
		default:
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}

// needsCleaning reports whether s holds anything clean would change.
func needsCleaning(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 && c != '\n' || c == 0x7f || c >= 0x80 {
			if c >= 0x80 {
				r, n := utf8.DecodeRuneInString(s[i:])
				if r == utf8.RuneError && n == 1 || r >= 0x80 && r < 0xa0 {
					return true
				}
				i += n - 1
				continue
			}
			return true
		}
	}
	return false
}

// escapeLen is the length of the escape sequence at the start of s
// (which starts with ESC): a CSI sequence to its final byte, an OSC, DCS,
// APC, PM or SOS string to its terminator (BEL or ESC \), else ESC and
// the one character after it.
func escapeLen(s string) int {
	if len(s) < 2 {
		return len(s)
	}
	switch s[1] {
	case '[':
		for i := 2; i < len(s); i++ {
			if s[i] >= 0x40 && s[i] <= 0x7e {
				return i + 1
			}
		}
		return len(s)
	case ']', 'P', '_', '^', 'X':
		for i := 2; i < len(s); i++ {
			if s[i] == 0x07 {
				return i + 1
			}
			if s[i] == 0x1b && i+1 < len(s) && s[i+1] == '\\' {
				return i + 2
			}
		}
		return len(s)
	}
	_, n := utf8.DecodeRuneInString(s[1:])
	return 1 + n
}
