// Package editor is the workbench's SQL editor: multi-line text with
// syntax highlighting, completion of keywords, catalogs, databases, tables
// and columns (alias-aware), bracket and quote pairing, and undo. Only the
// lines on screen are lexed and drawn; the lexer state at the start of
// each line (inside a comment or a string opened above) is cached and
// rescanned only from the first changed line, so a query of thousands of
// lines stays as quick to edit as a short one.
//
// Highlighting uses engine/sqlref's lexer rather than chroma. That lexer
// is the one the grant check and completion read the query with, and it
// follows Trino's (Athena's) rules where a generic SQL lexer does not:
// "double quotes" are identifiers, not strings; `backticks`, U&'...' and
// X'...' literals; a doubled quote inside quotes; /* */ comments that do
// not nest. The colours therefore show the query as Athena will read it,
// an unclosed quote shows as the error Athena will report, and no second
// lexer (with its regular-expression engine) is added to the binary.
package editor

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/quiltq/quiltq/engine/sqlref"
	"github.com/quiltq/quiltq/ui/keys"
	"github.com/quiltq/quiltq/ui/theme"
)

// maxUndo bounds the undo history.
const maxUndo = 500

// snapshot is the text and cursor at one point of the undo history. The
// lines slice is copied, the strings in it are shared (strings never
// change), so a snapshot of a 1,000-line query is 16 KB of headers.
type snapshot struct {
	lines    []string
	row, col int
}

// editKind groups keystrokes into undo steps: a run of typed word
// characters is one step.
type editKind int

const (
	editNone editKind = iota
	editWord
	editOther
)

// Model is the editor.
type Model struct {
	keys keys.Editor
	th   theme.Theme
	p    paints

	lines    []string
	row, col int // cursor: line, byte offset in the line (on a rune boundary)
	want     int // the display column up/down aim for
	top      int // first line on screen
	left     int // first display column on screen

	width, height int
	focused       bool

	undo, redo []snapshot
	last       editKind

	index *Index
	comp  *popup
	hl    *hlCache // lexer states per line, shared by copies
}

// New returns an empty editor.
func New(km keys.Editor, th theme.Theme) Model {
	return Model{keys: km, th: th, p: newPaints(th), lines: []string{""}, index: &Index{}, hl: &hlCache{}}
}

// SetSize sets the inner size of the pane.
func (m *Model) SetSize(w, h int) {
	m.width, m.height = w, h
	m.scroll()
}

// Focus gives the editor the keys.
func (m *Model) Focus() { m.focused = true }

// Blur takes the keys away.
func (m *Model) Blur() { m.focused = false; m.comp = nil }

// SetIndex sets what completion offers beyond keywords.
func (m *Model) SetIndex(ix *Index) { m.index = ix }

// Value is the whole text.
func (m Model) Value() string { return strings.Join(m.lines, "\n") }

// SetValue replaces the text (an undoable step) and puts the cursor at its end.
func (m *Model) SetValue(s string) {
	m.push(editOther)
	m.lines = strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n")
	m.row = len(m.lines) - 1
	m.col = len(m.lines[m.row])
	m.comp = nil
	m.scroll()
}

// Cursor is the cursor's line and byte offset.
func (m Model) Cursor() (row, col int) { return m.row, m.col }

// Popup reports whether the completion popup is open, and its items.
func (m Model) Popup() []string {
	if m.comp == nil {
		return nil
	}
	out := make([]string, len(m.comp.items))
	for i, it := range m.comp.items {
		out[i] = it.text
	}
	return out
}

// Overlay reports whether the completion popup is open (the cancel key
// closes it).
func (m Model) Overlay() bool { return m.comp != nil }

// Close closes the completion popup.
func (m *Model) Close() { m.comp = nil }

// Insert inserts s at the cursor as one undoable step.
func (m *Model) Insert(s string) {
	m.push(editOther)
	m.insert(s)
	m.scroll()
}

func (m *Model) push(k editKind) {
	if k == editWord && m.last == editWord {
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

// Update handles the editor's keys and pasted text.
func (m Model) Update(msg tea.Msg) (Model, tea.Cmd) {
	if !m.focused {
		return m, nil
	}
	switch msg := msg.(type) {
	case tea.PasteMsg:
		m.push(editOther)
		m.insert(strings.ReplaceAll(msg.Content, "\r\n", "\n"))
		m.comp = nil
	case tea.KeyPressMsg:
		m.key(msg)
	}
	m.scroll()
	return m, nil
}

func (m *Model) key(k tea.KeyPressMsg) {
	if m.comp != nil {
		switch k.String() {
		case "up", "ctrl+p":
			m.comp.sel = (m.comp.sel + len(m.comp.items) - 1) % len(m.comp.items)
			return
		case "down", "ctrl+n":
			m.comp.sel = (m.comp.sel + 1) % len(m.comp.items)
			return
		case "tab":
			m.accept()
			return
		}
	}
	line := m.lines[m.row]
	switch {
	case key.Matches(k, m.keys.Undo):
		if n := len(m.undo); n > 0 {
			m.redo = append(m.redo, m.snap())
			m.restore(m.undo[n-1])
			m.undo = m.undo[:n-1]
			m.last = editNone
		}
		m.comp = nil
	case key.Matches(k, m.keys.Redo):
		if n := len(m.redo); n > 0 {
			m.undo = append(m.undo, m.snap())
			m.restore(m.redo[n-1])
			m.redo = m.redo[:n-1]
			m.last = editNone
		}
	case key.Matches(k, m.keys.Complete):
		m.complete(true)
	case key.Matches(k, m.keys.Up):
		m.vertical(-1)
	case key.Matches(k, m.keys.Down):
		m.vertical(1)
	case key.Matches(k, m.keys.PageUp):
		m.vertical(-max(m.height-1, 1))
	case key.Matches(k, m.keys.PageDn):
		m.vertical(max(m.height-1, 1))
	case key.Matches(k, m.keys.Left):
		m.moveLeft()
	case key.Matches(k, m.keys.Right):
		m.moveRight()
	case key.Matches(k, m.keys.WordLeft):
		m.wordLeft()
	case key.Matches(k, m.keys.WordRight):
		m.wordRight()
	case key.Matches(k, m.keys.Home):
		m.col = 0
		m.setWant()
	case key.Matches(k, m.keys.End):
		m.col = len(line)
		m.setWant()
	case key.Matches(k, m.keys.Top):
		m.row, m.col = 0, 0
	case key.Matches(k, m.keys.Bottom):
		m.row = len(m.lines) - 1
		m.col = len(m.lines[m.row])
	case key.Matches(k, m.keys.Newline):
		m.push(editOther)
		indent := line[:len(line)-len(strings.TrimLeft(line, " \t"))]
		m.insert("\n" + indent)
		m.comp = nil
	case key.Matches(k, m.keys.Backspace):
		m.backspace()
	case key.Matches(k, m.keys.Del):
		m.push(editOther)
		if m.col < len(line) {
			_, n := utf8.DecodeRuneInString(line[m.col:])
			m.lines[m.row] = line[:m.col] + line[m.col+n:]
		} else if m.row+1 < len(m.lines) {
			m.join()
		}
	case key.Matches(k, m.keys.KillLine):
		m.push(editOther)
		if m.col < len(line) {
			m.lines[m.row] = line[:m.col]
		} else if m.row+1 < len(m.lines) {
			m.join()
		}
	case key.Matches(k, m.keys.Indent):
		m.push(editOther)
		m.insert("  ")
	default:
		if t := k.Text; t != "" && k.Mod&^tea.ModShift == 0 {
			m.typed(t)
		}
		return
	}
	if m.comp != nil && !key.Matches(k, m.keys.Complete) {
		m.comp = nil
	}
}

// join joins the cursor's line with the next.
func (m *Model) join() {
	m.lines[m.row] += m.lines[m.row+1]
	m.lines = append(m.lines[:m.row+1], m.lines[m.row+2:]...)
}

// pairs are the brackets and quotes typed in pairs.
var pairs = map[string]string{"(": ")", "[": "]", "{": "}", "'": "'", `"`: `"`}

// typed inserts what a key typed, pairing brackets and quotes: an opening
// bracket brings its closing one; typing a closing character that is
// already next steps over it; a quote is paired only where a value or
// name may start (not after a letter: don't).
func (m *Model) typed(t string) {
	line := m.lines[m.row]
	next := ""
	if m.col < len(line) {
		r, _ := utf8.DecodeRuneInString(line[m.col:])
		next = string(r)
	}
	prev := rune(0)
	if m.col > 0 {
		prev, _ = utf8.DecodeLastRuneInString(line[:m.col])
	}
	kind := editOther
	if r, _ := utf8.DecodeRuneInString(t); len(t) == utf8.RuneLen(r) && isWordRune(r) {
		kind = editWord
	}
	switch {
	case (t == ")" || t == "]" || t == "}" || t == "'" || t == `"`) && next == t:
		m.col += len(t)
		return
	case pairs[t] != "" && (t != "'" && t != `"` || !isWordRune(prev)) && (next == "" || !isWordRune([]rune(next)[0])):
		m.push(editOther)
		m.insert(t + pairs[t])
		m.col -= len(pairs[t])
	default:
		m.push(kind)
		m.insert(t)
	}
	m.setWant()
	if kind == editWord || t == "." {
		m.complete(false)
	} else {
		m.comp = nil
	}
}

// backspace deletes left; between an empty pair, both halves.
func (m *Model) backspace() {
	m.push(editOther)
	line := m.lines[m.row]
	if m.col == 0 {
		if m.row > 0 {
			m.row--
			m.col = len(m.lines[m.row])
			m.join()
		}
		m.comp = nil
		return
	}
	r, n := utf8.DecodeLastRuneInString(line[:m.col])
	end := m.col
	if closing, ok := pairs[string(r)]; ok && strings.HasPrefix(line[m.col:], closing) {
		end += len(closing)
	}
	m.lines[m.row] = line[:m.col-n] + line[end:]
	m.col -= n
	m.setWant()
	if m.comp != nil {
		m.complete(false)
	}
}

func (m *Model) moveLeft() {
	if m.col > 0 {
		_, n := utf8.DecodeLastRuneInString(m.lines[m.row][:m.col])
		m.col -= n
	} else if m.row > 0 {
		m.row--
		m.col = len(m.lines[m.row])
	}
	m.setWant()
}

func (m *Model) moveRight() {
	line := m.lines[m.row]
	if m.col < len(line) {
		_, n := utf8.DecodeRuneInString(line[m.col:])
		m.col += n
	} else if m.row+1 < len(m.lines) {
		m.row++
		m.col = 0
	}
	m.setWant()
}

func (m *Model) wordLeft() {
	line := m.lines[m.row]
	i := m.col
	for i > 0 {
		r, n := utf8.DecodeLastRuneInString(line[:i])
		if isWordRune(r) {
			break
		}
		i -= n
	}
	for i > 0 {
		r, n := utf8.DecodeLastRuneInString(line[:i])
		if !isWordRune(r) {
			break
		}
		i -= n
	}
	m.col = i
	m.setWant()
}

func (m *Model) wordRight() {
	line := m.lines[m.row]
	i := m.col
	for i < len(line) {
		r, n := utf8.DecodeRuneInString(line[i:])
		if isWordRune(r) {
			break
		}
		i += n
	}
	for i < len(line) {
		r, n := utf8.DecodeRuneInString(line[i:])
		if !isWordRune(r) {
			break
		}
		i += n
	}
	m.col = i
	m.setWant()
}

func (m *Model) setWant() { m.want = textWidthOf(m.lines[m.row][:m.col]) }

// vertical moves the cursor d lines, aiming for the remembered column.
func (m *Model) vertical(d int) {
	m.row = max(min(m.row+d, len(m.lines)-1), 0)
	line := m.lines[m.row]
	w, i := 0, 0
	for i < len(line) && w < m.want {
		r, n := utf8.DecodeRuneInString(line[i:])
		w += runeWidth(r)
		i += n
	}
	m.col = i
}

func isWordRune(r rune) bool { return r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r) }

// Click puts the cursor at x, y of the pane (the line numbers are left of
// the text).
func (m *Model) Click(x, y int) {
	m.comp = nil
	m.row = max(min(m.top+y, len(m.lines)-1), 0)
	want := max(x-gutter, 0) + m.left
	line := m.lines[m.row]
	w, i := 0, 0
	for i < len(line) {
		r, n := utf8.DecodeRuneInString(line[i:])
		if w+runeWidth(r) > want {
			break
		}
		w += runeWidth(r)
		i += n
	}
	m.col = i
	m.setWant()
	m.scroll()
}

// scroll keeps the cursor on screen.
func (m *Model) scroll() {
	m.row = max(min(m.row, len(m.lines)-1), 0)
	m.col = min(m.col, len(m.lines[m.row]))
	h := max(m.height, 1)
	if m.row < m.top {
		m.top = m.row
	}
	if m.row >= m.top+h {
		m.top = m.row - h + 1
	}
	textW := max(m.width-gutter, 1)
	cx := textWidthOf(m.lines[m.row][:m.col])
	if cx < m.left {
		m.left = cx
	}
	if cx >= m.left+textW {
		m.left = cx - textW + 1
	}
}

// gutter is the width of the line numbers and their separator.
const gutter = 5

// View draws the lines on screen, highlighted, with the cursor and the
// completion popup.
func (m Model) View() string {
	if m.width <= 0 || m.height <= 0 {
		return ""
	}
	end := min(m.top+m.height, len(m.lines))
	kinds := m.highlight(m.top, end)
	textW := max(m.width-gutter, 1)
	var b strings.Builder
	b.Grow(m.width * m.height * 2)
	for i := 0; i < m.height; i++ {
		if i > 0 {
			b.WriteByte('\n')
		}
		r := m.top + i
		if r >= len(m.lines) {
			b.WriteString(m.p.lineNo.pre + padLeft("~", gutter-1) + m.p.lineNo.post + " ")
			b.WriteString(strings.Repeat(" ", textW))
			continue
		}
		b.WriteString(m.p.lineNo.pre + padLeft(itoa(r+1), gutter-1) + m.p.lineNo.post + " ")
		cursor := -1
		if m.focused && r == m.row {
			cursor = m.col
		}
		m.drawLine(&b, m.lines[r], kinds[i], cursor, textW)
	}
	out := b.String()
	if m.comp != nil && len(m.comp.items) > 0 {
		out = m.overlayPopup(out)
	}
	return out
}

// drawLine writes the visible part of line (display columns left ..
// left+w), painting runs of one token kind, and the cursor at byte
// offset cursor (-1: none) in reverse video.
func (m Model) drawLine(b *strings.Builder, line string, kinds []byte, cursor, w int) {
	x, used := 0, 0
	cur := byte(255)
	flush := func() {
		if cur != 255 {
			b.WriteString(m.p.kind[cur].post)
			cur = 255
		}
	}
	for i := 0; i <= len(line) && used < w; {
		var r rune
		n := 1
		if i < len(line) {
			r, n = utf8.DecodeRuneInString(line[i:])
		}
		rw := runeWidth(r)
		if i == len(line) {
			rw = 1
		}
		if x < m.left {
			x += rw
			i += n
			continue
		}
		if used+rw > w {
			break
		}
		k := byte(0)
		if i < len(kinds) {
			k = kinds[i]
		}
		if i == cursor {
			flush()
			ch := " "
			if i < len(line) {
				ch = line[i : i+n]
				if r == '\t' {
					ch = " "
				}
			}
			b.WriteString(m.p.cursor.pre + ch + m.p.cursor.post)
		} else if i < len(line) {
			if k != cur {
				flush()
				b.WriteString(m.p.kind[k].pre)
				cur = k
			}
			if r == '\t' {
				b.WriteByte(' ')
			} else {
				b.WriteString(line[i : i+n])
			}
		} else {
			break
		}
		x += rw
		used += rw
		i += n
	}
	flush()
	if used < w {
		b.WriteString(strings.Repeat(" ", w-used))
	}
}

// Token kinds for painting; 0 is plain text.
const (
	kPlain byte = iota
	kKeyword
	kIdent
	kString
	kNumber
	kComment
	kOperator
	kinds
)

// highlight lexes lines from..to and returns, per line, the kind of each
// byte. Each line is lexed on its own, but from the state the lines above
// leave it in (inside a block comment, a string or a quoted identifier
// opened higher up, even far above the screen): the line is lexed with
// that construct's opening delimiter put before it, and with the closing
// delimiter of whatever it leaves open put after it, so the lexer sees
// whole tokens. The states come from the cache, which rescans only from
// the first line that changed, so a keystroke in a long query does not
// rescan the lines above it.
func (m Model) highlight(from, to int) [][]byte {
	out := make([][]byte, to-from)
	states := m.hl.states(m.lines, to)
	for i := range out {
		line := m.lines[from+i]
		out[i] = make([]byte, len(line))
		open, close := states[from+i].opener(), states[from+i+1].closer()
		toks, _ := sqlref.Lex(open + line + close)
		paintLine(toks, out[i], len(open))
	}
	return out
}

// lexState is where the lexer is at the start of a line: in plain SQL, or
// inside a construct a line above opened and has not closed.
type lexState byte

const (
	inSQL lexState = iota
	inComment
	inString
	inQuoted
	inBacktick
)

func (s lexState) opener() string { return [...]string{"", "/*", "'", `"`, "`"}[s] }
func (s lexState) closer() string { return [...]string{"", "*/", "'", `"`, "`"}[s] }

// scanLine returns the state at the end of line, begun in state s. It
// follows sqlref's lexer: -- comments end with the line, /* */ comments do
// not nest, and a doubled quote inside quotes stands for itself.
func scanLine(s lexState, line string) lexState {
	i := 0
	for i < len(line) {
		switch s {
		case inComment:
			j := strings.Index(line[i:], "*/")
			if j < 0 {
				return inComment
			}
			i += j + 2
			s = inSQL
		case inString, inQuoted, inBacktick:
			q := s.closer()[0]
			j := strings.IndexByte(line[i:], q)
			if j < 0 {
				return s
			}
			i += j + 1
			if i < len(line) && line[i] == q {
				i++ // a doubled quote: still inside
				continue
			}
			s = inSQL
		default:
			switch c := line[i]; {
			case c == '-' && strings.HasPrefix(line[i:], "--"):
				return inSQL
			case c == '/' && strings.HasPrefix(line[i:], "/*"):
				s, i = inComment, i+2
			case c == '\'':
				s, i = inString, i+1
			case c == '"':
				s, i = inQuoted, i+1
			case c == '`':
				s, i = inBacktick, i+1
			default:
				i++
			}
		}
	}
	return s
}

// hlCache keeps the lexer state at the start of each line, for the lines
// it last saw. It is shared by the copies of a Model (bubbletea passes
// models by value) and checks itself against the lines it is given: an
// unchanged line is the same string (a comparison of two pointers), so
// finding the first changed line is cheap.
type hlCache struct {
	lines []string
	st    []lexState // st[i] is the state at the start of lines[i]; one more at the end
}

// states returns the state at the start of lines[0..to] (to+1 entries).
func (c *hlCache) states(lines []string, to int) []lexState {
	same := 0
	for same < min(len(c.lines), to) && c.lines[same] == lines[same] {
		same++
	}
	if same == to && len(c.st) > to {
		return c.st
	}
	c.lines = append(c.lines[:same], lines[same:to]...)
	c.st = c.st[:min(len(c.st), same+1)]
	if len(c.st) == 0 {
		c.st = append(c.st, inSQL)
	}
	for i := same; i < to; i++ {
		c.st = append(c.st, scanLine(c.st[i], lines[i]))
	}
	return c.st
}

// paintLine marks the kind of each byte of one line from its tokens,
// which were lexed with shift bytes of opening delimiter before the line.
func paintLine(toks []sqlref.Token, out []byte, shift int) {
	for _, t := range toks {
		k := kindOf(t)
		if k == kPlain {
			continue
		}
		for pos := max(t.Pos-shift, 0); pos < t.End()-shift && pos < len(out); pos++ {
			out[pos] = k
		}
	}
}

func kindOf(t sqlref.Token) byte {
	switch t.Kind {
	case sqlref.Word:
		if isKeyword(t.Value) {
			return kKeyword
		}
		return kIdent
	case sqlref.QuotedIdent, sqlref.BacktickIdent:
		return kIdent
	case sqlref.String:
		return kString
	case sqlref.Number:
		return kNumber
	case sqlref.Comment:
		return kComment
	case sqlref.Op:
		return kOperator
	}
	return kPlain
}

// paint is a style as the escape codes around the text, computed once.
type paint struct{ pre, post string }

type paints struct {
	kind           [kinds]paint
	lineNo, cursor paint
	popup, popSel  paint
}

func newPaints(th theme.Theme) paints {
	mk := func(s lipgloss.Style) paint {
		pre, post, _ := strings.Cut(s.Render("\x00"), "\x00")
		return paint{pre, post}
	}
	return paints{
		kind:   [kinds]paint{mk(th.Ident), mk(th.Keyword), mk(th.Ident), mk(th.String), mk(th.Number), mk(th.Comment), mk(th.Operator)},
		lineNo: mk(th.LineNumber),
		cursor: mk(lipgloss.NewStyle().Reverse(true)),
		popup:  mk(th.Popup),
		popSel: mk(th.PopupSelected),
	}
}

func padLeft(s string, w int) string {
	if len(s) >= w {
		return s
	}
	return strings.Repeat(" ", w-len(s)) + s
}

func itoa(n int) string {
	var buf [20]byte
	i := len(buf)
	for {
		i--
		buf[i] = byte('0' + n%10)
		n /= 10
		if n == 0 {
			break
		}
	}
	return string(buf[i:])
}

func textWidthOf(s string) int {
	w := 0
	for _, r := range s {
		w += runeWidth(r)
	}
	return w
}

// runeWidth is the screen width of r: 2 for wide East Asian characters,
// 0 for combining marks, else 1.
func runeWidth(r rune) int {
	switch {
	case r < 0x300:
		return 1
	case r <= 0x36f, r == 0x200b:
		return 0
	case r >= 0x1100 && r <= 0x115f, r >= 0x2e80 && r <= 0xa4cf, r >= 0xac00 && r <= 0xd7a3,
		r >= 0xf900 && r <= 0xfaff, r >= 0xff00 && r <= 0xff60, r >= 0x1f300 && r <= 0x1f64f,
		r >= 0x20000 && r <= 0x3fffd:
		return 2
	}
	return 1
}
