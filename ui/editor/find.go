package editor

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
)

// maxMatches bounds what the find bar counts and paints.
const maxMatches = 10000

// match is one place the find bar's text was found: its start and length
// in bytes.
type match struct {
	at pos
	n  int
}

// finder is the find bar: what is looked for, the matches in the text (for
// the text of revision rev), the current one, and where the search
// started (the first match at or after it is the current one as the text
// is typed).
type finder struct {
	query     string
	matchCase bool
	matches   []match
	rev       int
	cur       int
	origin    pos
}

// refresh finds the matches again when the text changed.
func (f *finder) refresh(lines []string, rev int) {
	if f.rev == rev && f.matches != nil {
		return
	}
	f.rev = rev
	f.matches = findAll(lines, f.query, f.matchCase)
	if f.cur >= len(f.matches) {
		f.cur = len(f.matches) - 1
	}
}

// findAll is every place q is found in lines, not overlapping, in order;
// without matchCase letters match whatever their case (Unicode simple
// folding, so that the match is the text's own bytes).
func findAll(lines []string, q string, matchCase bool) []match {
	out := []match{}
	if q == "" {
		return out
	}
	for r, line := range lines {
		for i := 0; i < len(line); {
			if n, ok := prefixMatch(line[i:], q, matchCase); ok {
				out = append(out, match{pos{r, i}, n})
				if len(out) >= maxMatches {
					return out
				}
				i += n
				continue
			}
			_, n := utf8.DecodeRuneInString(line[i:])
			i += n
		}
	}
	return out
}

// prefixMatch reports whether s starts with q, and how many bytes of s the
// match takes.
func prefixMatch(s, q string, matchCase bool) (int, bool) {
	if matchCase {
		return len(q), strings.HasPrefix(s, q)
	}
	i := 0
	for _, rq := range q {
		if i >= len(s) {
			return 0, false
		}
		rs, n := utf8.DecodeRuneInString(s[i:])
		if rs != rq && !sameFold(rs, rq) {
			return 0, false
		}
		i += n
	}
	return i, true
}

func sameFold(a, b rune) bool {
	for f := unicode.SimpleFold(a); f != a; f = unicode.SimpleFold(f) {
		if f == b {
			return true
		}
	}
	return false
}

// openFind opens the find bar (or keeps it), looking for the selection
// when it is on one line.
func (m *Model) openFind() {
	q := ""
	origin := m.cur()
	if a, b, ok := m.selection(); ok {
		origin = a
		if a.row == b.row {
			q = m.textIn(a, b)
		}
	}
	if m.find != nil && q == "" {
		return
	}
	m.comp = nil
	m.find = &finder{query: q, origin: origin, rev: -1, cur: -1}
	m.findFrom(origin)
}

// findKey handles a key while the find bar is open; false for a key that
// is not the find bar's (which closes it and goes to the editor).
func (m *Model) findKey(k tea.KeyPressMsg) bool {
	f := m.find
	switch {
	case key.Matches(k, m.keys.FindNext):
		m.findStep(1)
	case key.Matches(k, m.keys.FindPrev):
		m.findStep(-1)
	case key.Matches(k, m.keys.FindCase):
		f.matchCase = !f.matchCase
		f.matches = nil
		m.findFrom(f.origin)
	case key.Matches(k, m.keys.Find):
		// Again: from the current match on.
		m.findStep(1)
	case key.Matches(k, m.keys.Backspace):
		if f.query != "" {
			_, n := utf8.DecodeLastRuneInString(f.query)
			m.findType(f.query[:len(f.query)-n])
			break
		}
	default:
		if t := k.Text; t != "" && k.Mod&^tea.ModShift == 0 {
			m.findType(f.query + clean(t))
			break
		}
		return false
	}
	return true
}

// findType sets what is looked for, and goes to the first match at or
// after where the search started.
func (m *Model) findType(q string) {
	f := m.find
	f.query = q
	f.matches = nil
	m.findFrom(f.origin)
}

// findFrom makes the first match at or after p (wrapping) the current one,
// and selects it.
func (m *Model) findFrom(p pos) {
	f := m.find
	f.refresh(m.lines, m.rev)
	f.cur = -1
	for i, x := range f.matches {
		if !x.at.before(p) {
			f.cur = i
			break
		}
	}
	if f.cur < 0 && len(f.matches) > 0 {
		f.cur = 0
	}
	m.selectMatch()
}

// findStep moves to the next (d = 1) or previous (d = -1) match, wrapping
// at the ends of the buffer.
func (m *Model) findStep(d int) {
	f := m.find
	f.refresh(m.lines, m.rev)
	if len(f.matches) == 0 {
		return
	}
	f.cur = (f.cur + d + len(f.matches)) % len(f.matches)
	f.origin = f.matches[f.cur].at
	m.selectMatch()
}

// selectMatch selects the current match, so that closing the bar leaves
// it selected (typing then replaces it).
func (m *Model) selectMatch() {
	f := m.find
	if f.cur < 0 || f.cur >= len(f.matches) {
		m.sel = false
		return
	}
	x := f.matches[f.cur]
	m.anchor, m.sel = x.at, true
	m.setCur(pos{x.at.row, x.at.col + x.n})
	m.setWant()
}

// findBar is the find bar's line: what is looked for, "n of m", the case
// setting and the keys.
func (m Model) findBar() string {
	f := m.find
	f.refresh(m.lines, m.rev)
	count := "no match"
	switch {
	case f.query == "":
		count = "type to find"
	case len(f.matches) >= maxMatches:
		count = strconv.Itoa(f.cur+1) + " of " + strconv.Itoa(maxMatches) + "+"
	case len(f.matches) > 0:
		count = strconv.Itoa(f.cur+1) + " of " + strconv.Itoa(len(f.matches))
	}
	cs := "case: off"
	if f.matchCase {
		cs = "case: on"
	}
	hint := "  " + m.keys.FindNext.Help().Key + " next · " + m.keys.FindPrev.Help().Key + " previous · " +
		m.keys.FindCase.Help().Key + " case · esc closes"
	text := "find: " + f.query + m.p.cursor.pre + " " + m.p.cursor.post + "  " + count + " · " + cs + m.p.muted.pre + hint + m.p.muted.post
	text = ansi.Truncate(text, m.width, "…")
	return text + strings.Repeat(" ", max(m.width-ansi.StringWidth(text), 0))
}

// FindQuery is what the find bar looks for, and whether it is open.
func (m Model) FindQuery() (string, bool) {
	if m.find == nil {
		return "", false
	}
	return m.find.query, true
}
