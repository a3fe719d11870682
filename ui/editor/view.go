package editor

import (
	"image/color"
	"strings"
	"unicode/utf8"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/quiltq/quiltq/engine/sqlref"
	"github.com/quiltq/quiltq/ui/theme"
)

// gutter is the width of the line numbers and the marker column after
// them (the running statement, an error).
const gutter = 5

// View draws the lines on screen, highlighted, with the selection, the
// find matches, the running statement and the error mark, the cursor, the
// find bar and the error's message below the text, and the completion
// popup.
func (m Model) View() string {
	if m.width <= 0 || m.height <= 0 {
		return ""
	}
	textH := m.textHeight()
	end := min(m.top+textH, len(m.lines))
	kinds := m.highlight(m.top, end)
	textW := max(m.width-gutter, 1)
	d := m.decorations(m.top, end)
	var b strings.Builder
	b.Grow(m.width * m.height * 2)
	for i := 0; i < textH; i++ {
		if i > 0 {
			b.WriteByte('\n')
		}
		r := m.top + i
		if r >= len(m.lines) {
			b.WriteString(m.p.lineNo.pre + padLeft("~", gutter-1) + m.p.lineNo.post + " ")
			b.WriteString(strings.Repeat(" ", textW))
			continue
		}
		b.WriteString(m.p.lineNo.pre + padLeft(itoa(r+1), gutter-1) + m.p.lineNo.post)
		switch {
		case d.err != nil && d.err.at.row == r:
			b.WriteString(m.p.errMark.pre + "✗" + m.p.errMark.post)
		case d.running && r >= d.runA.row && r <= d.runB.row:
			b.WriteString(m.p.runMark.pre + "┃" + m.p.runMark.post)
		default:
			b.WriteByte(' ')
		}
		cursor := -1
		if m.focused && r == m.row {
			cursor = m.col
		}
		eol := d.apply(r, m.lines[r], kinds[i])
		m.drawLine(&b, m.lines[r], kinds[i], cursor, textW, eol)
	}
	if m.find != nil {
		b.WriteByte('\n')
		b.WriteString(m.findBar())
	}
	if m.mark != nil {
		b.WriteByte('\n')
		line := m.p.errLine.pre + ansi.Truncate(m.mark.describe(), m.width, "…") + m.p.errLine.post
		b.WriteString(line + strings.Repeat(" ", max(m.width-ansi.StringWidth(ansi.Strip(line)), 0)))
	}
	out := b.String()
	if m.comp != nil && len(m.comp.items) > 0 {
		out = m.overlayPopup(out)
	}
	return out
}

// decor is what is painted over the lines from..to: resolved once a frame.
type decor struct {
	running    bool
	runA, runB pos
	sel        bool
	selA, selB pos
	matches    []match // the find matches on the lines on screen
	current    int     // index in matches of the current one (-1: none)
	err        *errMark
}

func (m Model) decorations(from, to int) decor {
	var d decor
	if m.running != nil {
		d.running = true
		d.runA, d.runB = m.posOf(m.running.span.Start), m.posOf(m.running.span.End)
	}
	d.selA, d.selB, d.sel = m.selection()
	d.err = m.mark
	d.current = -1
	if f := m.find; f != nil {
		f.refresh(m.lines, m.rev)
		for i, x := range f.matches {
			if x.at.row >= to {
				break
			}
			if x.at.row >= from {
				if i == f.cur {
					d.current = len(d.matches)
				}
				d.matches = append(d.matches, x)
			}
		}
	}
	return d
}

// apply marks the decorations of line r over its kinds, and returns the
// paint of the cell after the line's end (0: none), where a selection
// that goes on to the next line or an error at the end of the line shows.
func (d *decor) apply(r int, line string, k []byte) byte {
	eol := byte(0)
	span := func(a, b pos) (from, to int, ok bool) {
		if r < a.row || r > b.row {
			return 0, 0, false
		}
		from, to = 0, len(line)
		if r == a.row {
			from = a.col
		}
		if r == b.row {
			to = b.col
		}
		return min(from, len(line)), min(to, len(line)), true
	}
	if from, to, ok := span(d.runA, d.runB); d.running && ok {
		for i := from; i < to; i++ {
			if k[i] < kinds {
				k[i] += runBase
			}
		}
	}
	if from, to, ok := span(d.selA, d.selB); d.sel && ok {
		for i := from; i < to; i++ {
			k[i] = dSel
		}
		if r < d.selB.row {
			eol = dSel
		}
	}
	for i, x := range d.matches {
		if x.at.row != r {
			continue
		}
		p := byte(dMatch)
		if i == d.current {
			p = dCurMatch
		}
		for j := x.at.col; j < x.at.col+x.n && j < len(k); j++ {
			k[j] = p
		}
	}
	if e := d.err; e != nil && e.at.row == r {
		if e.at.col < len(line) {
			_, n := utf8.DecodeRuneInString(line[e.at.col:])
			for j := e.at.col; j < e.at.col+n; j++ {
				k[j] = dErr
			}
		} else {
			eol = dErr
		}
	}
	return eol
}

// drawLine writes the visible part of line (display columns left ..
// left+w), painting runs of one paint, the cursor at byte offset cursor
// (-1: none) in reverse video, and the cell after the line's end in paint
// eol when it is not 0.
func (m Model) drawLine(b *strings.Builder, line string, kinds []byte, cursor, w int, eol byte) {
	x, used := 0, 0
	cur := byte(255)
	flush := func() {
		if cur != 255 {
			b.WriteString(m.p.table[cur].post)
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
		switch {
		case i == cursor && k == dErr:
			// The error shows on the cursor too (MarkError puts it there).
			flush()
			b.WriteString(m.p.table[dErr].pre + line[i:i+n] + m.p.table[dErr].post)
		case i == cursor:
			flush()
			ch := " "
			if i < len(line) {
				ch = line[i : i+n]
			}
			b.WriteString(m.p.cursor.pre + ch + m.p.cursor.post)
		case i < len(line):
			if k != cur {
				flush()
				b.WriteString(m.p.table[k].pre)
				cur = k
			}
			b.WriteString(line[i : i+n])
		case eol != 0:
			flush()
			b.WriteString(m.p.table[eol].pre + " " + m.p.table[eol].post)
		default:
			i = len(line) + 1 // nothing to draw after the line
			continue
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

// Decorations painted over the token kinds: a kind on the running
// statement's background is runBase+kind; the others replace the kind.
const (
	runBase   = 8
	dSel      = runBase + kinds + 1
	dMatch    = dSel + 1
	dCurMatch = dMatch + 1
	dErr      = dCurMatch + 1
	nPaints   = dErr + 1
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
	table            [nPaints]paint
	lineNo, cursor   paint
	popup, popSel    paint
	runMark, errMark paint
	findBar, errLine paint
	muted            paint
}

func newPaints(th theme.Theme) paints {
	mk := func(s lipgloss.Style) paint {
		pre, post, _ := strings.Cut(s.Render("\x00"), "\x00")
		return paint{pre, post}
	}
	styles := [kinds]lipgloss.Style{th.Ident, th.Keyword, th.Ident, th.String, th.Number, th.Comment, th.Operator}
	var p paints
	// The running statement shows on the background of the cursor row of
	// the grid; without colours, by its marker in the gutter alone.
	runBG := th.CursorRow.GetBackground()
	for k, s := range styles {
		p.table[k] = mk(s)
		p.table[runBase+k] = p.table[k]
		if hasColor(runBG) && !th.NoColor {
			p.table[runBase+k] = mk(s.Background(runBG))
		}
	}
	if th.NoColor {
		p.table[dSel] = mk(lipgloss.NewStyle().Reverse(true))
		p.table[dMatch] = mk(lipgloss.NewStyle().Underline(true))
		p.table[dCurMatch] = mk(lipgloss.NewStyle().Reverse(true).Bold(true))
	} else {
		p.table[dSel] = mk(th.Selected)
		p.table[dMatch] = mk(th.Warning.Reverse(true))
		p.table[dCurMatch] = mk(th.CursorCell)
	}
	p.table[dErr] = mk(th.Error.Reverse(true).Underline(true))
	p.lineNo = mk(th.LineNumber)
	p.cursor = mk(lipgloss.NewStyle().Reverse(true))
	p.popup = mk(th.Popup)
	p.popSel = mk(th.PopupSelected)
	p.runMark = mk(th.Title)
	p.errMark = mk(th.Error)
	p.findBar = mk(th.Status)
	p.errLine = mk(th.Error)
	p.muted = mk(th.Muted)
	return p
}

func hasColor(c color.Color) bool {
	if c == nil {
		return false
	}
	_, none := c.(lipgloss.NoColor)
	return !none
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
