package editor

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/quiltq/quiltq/engine/sqlref"
)

// Span is a range of the buffer as byte offsets into Value() (the lines
// joined by "\n"): Start is the first byte, End the byte after the last,
// so that Value()[Start:End] is the text it covers. A span is taken from
// the text as it is; the editor keeps the running statement's span on its
// text while the buffer is edited around it.
type Span struct{ Start, End int }

// Statement is one statement of the buffer.
type Statement struct {
	// SQL is the statement as Athena is to be sent it: trimmed, without
	// the semicolon that ends it, with its comments.
	SQL string
	// Span is where SQL is in the buffer: Value()[Span.Start:Span.End] == SQL.
	Span Span
	// Line and Col are the 1-based line and character column of its start.
	Line, Col int
}

// Statements lists the buffer's statements in order; chunks holding only
// comments are left out. A semicolon inside a string, a quoted name or a
// comment does not end a statement (engine/sqlref's Split).
func (m Model) Statements() []Statement {
	split := sqlref.Split(m.Value())
	out := make([]Statement, len(split))
	for i, s := range split {
		out[i] = Statement{SQL: s.Text, Span: Span{s.Start, s.End}, Line: s.Line, Col: s.Col}
	}
	return out
}

// Current is what a run of "this statement" sends: the selection when
// there is one (trimmed, without a final semicolon; the find bar's match
// is not one), else the statement under the cursor. A cursor between statements (on a blank line, after a
// semicolon, after the last statement) takes the nearest statement before
// it, as harlequin does; before the first, the first. sql is "" when the
// buffer holds no statement. Value()[span.Start:span.End] == sql.
func (m Model) Current() (sql string, span Span) {
	v := m.Value()
	if a, b, ok := m.selection(); ok && m.find == nil {
		s, e := m.offsetOf(a), m.offsetOf(b)
		for s < e {
			r, n := utf8.DecodeRuneInString(v[s:])
			if !unicode.IsSpace(r) {
				break
			}
			s += n
		}
		for e > s {
			r, n := utf8.DecodeLastRuneInString(v[:e])
			if !unicode.IsSpace(r) && r != ';' {
				break
			}
			e -= n
		}
		if s < e {
			return v[s:e], Span{s, e}
		}
	}
	stmts := sqlref.Split(v)
	if len(stmts) == 0 {
		c := m.offsetOf(m.cur())
		return "", Span{c, c}
	}
	c := m.offsetOf(m.cur())
	best := 0
	for i, s := range stmts {
		if s.Start <= c && c <= s.End {
			best = i
			break
		}
		if s.End <= c {
			best = i
		}
	}
	s := stmts[best]
	return s.Text, Span{s.Start, s.End}
}

// runState is the statement running: its span, and the lines it was last
// placed on, to follow it through edits.
type runState struct {
	span  Span
	lines []string
}

// SetRunning highlights the statement at span as running (a marker in the
// gutter and, with colours, its background) until ClearRunning. While it
// runs, edits before it move the highlight with it.
func (m *Model) SetRunning(span Span) {
	m.running = &runState{span: m.clampSpan(span), lines: append([]string(nil), m.lines...)}
}

// ClearRunning removes the running highlight.
func (m *Model) ClearRunning() { m.running = nil }

// Running is the span highlighted as running; ok is false when none is.
func (m Model) Running() (span Span, ok bool) {
	if m.running == nil {
		return Span{}, false
	}
	return m.running.span, true
}

func (m Model) clampSpan(s Span) Span {
	n := m.offsetOf(pos{len(m.lines) - 1, len(m.lines[len(m.lines)-1])})
	s.Start = max(min(s.Start, n), 0)
	s.End = max(min(s.End, n), s.Start)
	return s
}

// trackRunning moves the running span from the text it was placed on to
// the text now: the change is found as the common head and tail of the
// two texts (whole lines first, then characters), offsets after it shift
// by what it added or removed, offsets inside it go to its edge.
func (m *Model) trackRunning() {
	r := m.running
	if r == nil {
		return
	}
	old, cur := r.lines, m.lines
	p := 0
	for p < len(old) && p < len(cur) && old[p] == cur[p] {
		p++
	}
	if p == len(old) && p == len(cur) {
		return
	}
	q := 0
	for q < len(old)-p && q < len(cur)-p && old[len(old)-1-q] == cur[len(cur)-1-q] {
		q++
	}
	start := 0
	for i := 0; i < p; i++ {
		start += len(old[i]) + 1
	}
	oldMid := strings.Join(old[p:len(old)-q], "\n")
	curMid := strings.Join(cur[p:len(cur)-q], "\n")
	// Within the changed lines, the common head and tail.
	h := 0
	for h < len(oldMid) && h < len(curMid) && oldMid[h] == curMid[h] {
		h++
	}
	t := 0
	for t < len(oldMid)-h && t < len(curMid)-h && oldMid[len(oldMid)-1-t] == curMid[len(curMid)-1-t] {
		t++
	}
	from, oldTo, newTo := start+h, start+len(oldMid)-t, start+len(curMid)-t
	// An offset before the change stays; one after it (or at a pure
	// insertion point: text typed at the statement's start goes before
	// it, at its end into it) moves by what the change added or removed;
	// one inside it goes to its edge.
	move := func(x int, end bool) int {
		switch {
		case x < from:
			return x
		case x >= oldTo:
			return x + newTo - oldTo
		case end:
			return newTo
		}
		return from
	}
	r.span = m.clampSpan(Span{move(r.span.Start, false), move(r.span.End, true)})
	r.lines = append(r.lines[:0:0], m.lines...)
}

// errMark is a syntax error shown in the buffer.
type errMark struct {
	at        pos // the offending character
	line, col int // as reported, relative to the statement
	msg       string
	row, ccol int // its place in the buffer, 1-based, for the message
}

func (e *errMark) describe() string {
	where := "line " + strconv.Itoa(e.row) + ":" + strconv.Itoa(e.ccol)
	if e.line > 0 && (e.line != e.row || e.col != e.ccol) {
		where += " (" + strconv.Itoa(e.line) + ":" + strconv.Itoa(e.col) + " in the statement)"
	}
	return "✗ " + where + ": " + e.msg
}

// MarkError shows a syntax error of the statement at span: line and col
// are 1-based and relative to the statement, as Athena reports them
// ("line 1:8: mismatched input ...") and as engine.SyntaxError holds them,
// col counting characters. The offending character is marked (a ✗ in the
// gutter, the character in reverse), the message is shown below the text,
// and the cursor goes to it so that it is on screen. A line of 0 (no
// position known) marks the statement's start. The next edit, or
// ClearMark, removes the mark.
func (m *Model) MarkError(span Span, line, col int, msg string) {
	span = m.clampSpan(span)
	v := m.Value()
	off := span.Start
	if line > 0 {
		col = max(col, 1)
		l, c := 1, 1
		for off < span.End && (l < line || c < col) {
			r, n := utf8.DecodeRuneInString(v[off:])
			if r == '\n' {
				if l == line {
					break // the column is past the end of the line: mark its end
				}
				l, c = l+1, 1
			} else {
				c++
			}
			off += n
		}
	}
	at := m.posOf(off)
	m.mark = &errMark{at: at, line: line, col: col, msg: msg, row: at.row + 1, ccol: utf8.RuneCountInString(m.lines[at.row][:at.col]) + 1}
	m.setCur(at)
	m.sel, m.marking, m.comp = false, false, nil
	m.setWant()
	m.scroll()
}

// ClearMark removes the error mark.
func (m *Model) ClearMark() { m.mark = nil }

// Mark is the error marked: its place in the buffer as an offset into
// Value(), and its message; ok is false when none is.
func (m Model) Mark() (offset int, msg string, ok bool) {
	if m.mark == nil {
		return 0, "", false
	}
	return m.offsetOf(m.mark.at), m.mark.msg, true
}
