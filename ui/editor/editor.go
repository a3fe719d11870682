// Package editor is the workbench's SQL editor: multi-line text with
// syntax highlighting, completion of keywords, catalogs, databases, tables
// and columns (alias-aware), bracket and quote pairing, undo, selection
// (keys and mouse), copy, cut and paste, find, comment toggling, the
// formatter and $EDITOR. It knows the statements of its buffer: the one
// under the cursor (or the selection) for a run, all of them for a run of
// all, the one running highlighted, and a syntax error marked where Athena
// or the local parser put it.
//
// Only the lines on screen are lexed and drawn; the lexer state at the
// start of each line (inside a comment or a string opened above) is
// cached and rescanned only from the first changed line, so a query of
// thousands of lines stays as quick to edit as a short one.
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
	"os"
	"strings"
	"unicode"
	"unicode/utf8"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/quiltq/quiltq/ui/keys"
	"github.com/quiltq/quiltq/ui/theme"
)

// maxUndo bounds the undo history.
const maxUndo = 500

// indentUnit is what tab inserts and what a pasted tab becomes.
const indentUnit = "  "

// snapshot is the text and cursor at one point of the undo history. The
// lines slice is copied, the strings in it are shared (strings never
// change), so a snapshot of a 1,000-line query is 16 KB of headers.
type snapshot struct {
	lines    []string
	row, col int
}

// editKind groups keystrokes into undo steps: a run of typed word
// characters is one step, and the spaces typed after it (or after a
// typed character such as =) join it, so that every undo undoes
// something seen.
type editKind int

const (
	editNone  editKind = iota
	editWord           // a typed word character
	editTyped          // another typed character (not a space)
	editSpace          // a typed space
	editOther
)

// Model is the editor of one buffer. The keymap and the paints are
// shared by the copies and by the editors Fresh makes: bubbletea copies
// models at every message, and the theme alone is some 17 KB.
type Model struct {
	keys *keys.Editor
	p    *paints

	lines    []string
	row, col int // cursor: line, byte offset in the line (on a rune boundary)
	want     int // the display column up/down aim for
	top      int // first line on screen
	left     int // first display column on screen

	// The selection runs from anchor to the cursor, when sel is set and
	// they differ. marking is the mode Mark starts, in which plain moves
	// extend the selection; dragging is a mouse button held down.
	anchor   pos
	sel      bool
	marking  bool
	dragging bool

	width, height int
	focused       bool

	undo, redo []snapshot
	last       editKind
	rev        int // counts changes of the text

	index *Index
	comp  *popup
	hl    *hlCache    // lexer states per line, shared by copies
	ac    *aliasCache // tokens around the cursor for completion, shared by copies

	find    *finder
	running *runState
	mark    *errMark

	clip   *Clipboard
	getenv func(string) string
	id     int
}

// New returns an empty editor.
func New(km keys.Editor, th theme.Theme) Model {
	p := newPaints(th)
	return Model{keys: &km, p: &p, lines: []string{""}, index: &Index{}, hl: &hlCache{},
		ac: &aliasCache{}, clip: &Clipboard{}, getenv: os.Getenv}
}

// Fresh is a new empty editor made as m was made: the same keys, theme,
// clipboard, environment and completion, with a text, cursor, undo
// history and highlighting cache of its own (and no ID).
func (m Model) Fresh() Model {
	return Model{keys: m.keys, p: m.p, lines: []string{""}, index: m.index, hl: &hlCache{},
		ac: &aliasCache{}, clip: m.clip, getenv: m.getenv}
}

// Clipboard is what was cut or copied in the workbench, shared by the
// editors of every tab (the system clipboard gets a copy through OSC 52).
type Clipboard struct{ Text string }

// SetClipboard makes the editor cut, copy and paste through c.
func (m *Model) SetClipboard(c *Clipboard) { m.clip = c }

// SetEnv sets where $VISUAL and $EDITOR are read (default os.Getenv).
func (m *Model) SetEnv(getenv func(string) string) { m.getenv = getenv }

// SetID names the buffer; ExternalEditedMsg carries it back.
func (m *Model) SetID(id int) { m.id = id }

// ID is the buffer's name given by SetID.
func (m Model) ID() int { return m.id }

// SetSize sets the inner size of the pane.
func (m *Model) SetSize(w, h int) {
	m.width, m.height = w, h
	m.scroll()
}

// Focus gives the editor the keys.
func (m *Model) Focus() { m.focused = true }

// Focused reports whether the editor has the keys.
func (m Model) Focused() bool { return m.focused }

// Blur takes the keys away.
func (m *Model) Blur() { m.focused = false; m.comp = nil; m.dragging = false }

// SetIndex sets what completion offers beyond keywords.
func (m *Model) SetIndex(ix *Index) { m.index = ix }

// Index is what completion offers (SetIndex's).
func (m Model) Index() *Index { return m.index }

// Value is the whole text.
func (m Model) Value() string { return strings.Join(m.lines, "\n") }

// Rev counts the changes of the text: it differs after any edit.
func (m Model) Rev() int { return m.rev }

// SetValue replaces the text (an undoable step) and puts the cursor at
// its end. Line endings and control characters are cleaned as a paste's.
func (m *Model) SetValue(s string) {
	m.push(editOther)
	m.lines = strings.Split(clean(s), "\n")
	m.row = len(m.lines) - 1
	m.col = len(m.lines[m.row])
	m.comp, m.sel, m.marking = nil, false, false
	m.scroll()
}

// Restore puts back a buffer kept across restarts: its text and cursor,
// with no undo history. The text is taken as Value gave it (clean: no
// control characters but line breaks); text from elsewhere goes through
// SetValue or Insert.
func (m *Model) Restore(text string, row, col int) {
	m.lines = strings.Split(text, "\n")
	m.undo, m.redo, m.last = nil, nil, editNone
	m.rev++
	m.row = max(min(row, len(m.lines)-1), 0)
	m.col = max(min(col, len(m.lines[m.row])), 0)
	for m.col > 0 && m.col < len(m.lines[m.row]) && !utf8.RuneStart(m.lines[m.row][m.col]) {
		m.col--
	}
	m.setWant()
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

// Overlay reports whether something is open that the cancel key closes:
// the completion popup, the find bar, or a selection started with Mark.
func (m Model) Overlay() bool { return m.comp != nil || m.find != nil || m.marking }

// Close closes the completion popup, else the find bar (the cursor at the
// match), else drops the selection Mark started.
func (m *Model) Close() {
	switch {
	case m.comp != nil:
		m.comp = nil
	case m.find != nil:
		// The cursor stays at the match, with nothing selected: a run
		// after a search must not run the word that was found.
		m.find = nil
		if a, _, ok := m.selection(); ok {
			m.setCur(a)
			m.setWant()
		}
		m.sel = false
	case m.marking:
		m.marking, m.sel = false, false
	}
}

// HasSelection reports whether some text is selected.
func (m Model) HasSelection() bool {
	_, _, ok := m.selection()
	return ok
}

// Selected is the selected text ("" when none).
func (m Model) Selected() string {
	a, b, ok := m.selection()
	if !ok {
		return ""
	}
	return m.textIn(a, b)
}

// Insert inserts s at the cursor (over the selection) as one undoable step.
func (m *Model) Insert(s string) {
	m.push(editOther)
	m.replaceSelection(clean(s))
	m.scroll()
}

// InsertName inserts a name from the catalog at the cursor (over the
// selection) as Insert does, after a space when the text before it ends
// in a word character, a closing quote or a closing bracket, so that it
// is not glued to what is there (`FROM sales.customers` then a column
// gives `sales.customers "name"`, not `sales.customers"name"`). After a
// space, the start of a line, `(`, `,`, `.` (a qualified name being
// written) or an operator it goes in as it is.
func (m *Model) InsertName(s string) {
	at := m.cur()
	if a, _, ok := m.selection(); ok {
		at = a
	}
	before := m.lines[at.row][:at.col]
	if r, _ := utf8.DecodeLastRuneInString(before); before != "" && (unicode.IsLetter(r) || unicode.IsDigit(r) || strings.ContainsRune("_\"`')]", r)) {
		s = " " + s
	}
	m.Insert(s)
}

// NoteMsg is a line for the status bar saying what an editor action did.
type NoteMsg struct{ Text string }

func note(s string) tea.Cmd { return func() tea.Msg { return NoteMsg{Text: s} } }

// Update handles the editor's keys and pasted text.
func (m Model) Update(msg tea.Msg) (Model, tea.Cmd) {
	if msg, ok := msg.(ExternalEditedMsg); ok {
		if msg.ID != m.id {
			return m, nil
		}
		return m.externalEdited(msg)
	}
	if !m.focused {
		return m, nil
	}
	rev := m.rev
	var cmd tea.Cmd
	switch msg := msg.(type) {
	case tea.PasteMsg:
		if m.find != nil {
			m.findType(strings.ReplaceAll(clean(msg.Content), "\n", " "))
			break
		}
		m.push(editOther)
		m.replaceSelection(clean(msg.Content))
		m.comp = nil
	case tea.KeyPressMsg:
		cmd = m.key(msg)
	}
	m.edited(rev)
	m.scroll()
	return m, cmd
}

// edited follows a change of the text since rev: it clears the error mark,
// ends a Mark selection and moves the running statement's span with the
// text around it.
func (m *Model) edited(rev int) {
	if m.rev == rev {
		return
	}
	m.mark = nil
	m.marking = false
	m.trackRunning()
}

func (m *Model) key(k tea.KeyPressMsg) tea.Cmd {
	if m.comp != nil {
		switch k.String() {
		case "up", "ctrl+p":
			m.comp.sel = (m.comp.sel + len(m.comp.items) - 1) % len(m.comp.items)
			return nil
		case "down", "ctrl+n":
			m.comp.sel = (m.comp.sel + 1) % len(m.comp.items)
			return nil
		case "tab":
			m.accept()
			return nil
		}
	}
	if m.find != nil {
		if m.findKey(k) {
			return nil
		}
		m.find = nil // any other key leaves the find bar and does its work
	}
	if cmd, ok := m.command(k); ok {
		if m.comp != nil && !key.Matches(k, m.keys.Complete) {
			m.comp = nil
		}
		return cmd
	}
	if m.moveKey(k) {
		m.comp = nil
		return nil
	}
	if m.editKey(k) {
		if m.comp != nil && !key.Matches(k, m.keys.Backspace) {
			m.comp = nil
		}
		return nil
	}
	if t := k.Text; t != "" && k.Mod&^tea.ModShift == 0 {
		m.typed(clean(t))
	}
	return nil
}

// command handles the keys that act on the buffer as a whole or talk to
// the world: undo, completion, clipboard, find, comment, format, $EDITOR.
func (m *Model) command(k tea.KeyPressMsg) (tea.Cmd, bool) {
	switch {
	case key.Matches(k, m.keys.Undo):
		if n := len(m.undo); n > 0 {
			m.rev++
			m.redo = append(m.redo, m.snap())
			m.restore(m.undo[n-1])
			m.undo = m.undo[:n-1]
			m.last = editNone
		}
		m.comp, m.sel = nil, false
	case key.Matches(k, m.keys.Redo):
		if n := len(m.redo); n > 0 {
			m.rev++
			m.undo = append(m.undo, m.snap())
			m.restore(m.redo[n-1])
			m.redo = m.redo[:n-1]
			m.last = editNone
		}
		m.sel = false
	case key.Matches(k, m.keys.Complete):
		m.complete(true)
	case key.Matches(k, m.keys.SelectAll):
		m.anchor, m.sel = pos{}, true
		m.row = len(m.lines) - 1
		m.col = len(m.lines[m.row])
		m.setWant()
	case key.Matches(k, m.keys.Mark):
		if m.marking {
			m.marking = false
		} else {
			m.marking, m.sel, m.anchor = true, true, m.cur()
		}
	case key.Matches(k, m.keys.Copy):
		return m.copySelection(false), true
	case key.Matches(k, m.keys.Cut):
		return m.copySelection(true), true
	case key.Matches(k, m.keys.Paste):
		return m.paste(), true
	case key.Matches(k, m.keys.Find):
		m.openFind()
	case key.Matches(k, m.keys.Comment):
		m.toggleComment()
	case key.Matches(k, m.keys.Format):
		return m.format(), true
	case key.Matches(k, m.keys.External):
		return m.editExternally(), true
	default:
		return nil, false
	}
	return nil, true
}

// moveKey moves the cursor: a select binding (or any move while Mark's
// selection is on) extends the selection, a plain move drops it.
func (m *Model) moveKey(k tea.KeyPressMsg) bool {
	ek := m.keys
	moves := []struct {
		plain, extend key.Binding
		do            func()
	}{
		{ek.Up, ek.SelectUp, func() { m.vertical(-1) }},
		{ek.Down, ek.SelectDown, func() { m.vertical(1) }},
		{ek.Left, ek.SelectLeft, m.moveLeft},
		{ek.Right, ek.SelectRight, m.moveRight},
		{ek.WordLeft, ek.SelectWordLeft, m.wordLeft},
		{ek.WordRight, ek.SelectWordRight, m.wordRight},
		{ek.Home, ek.SelectHome, func() { m.col = 0; m.setWant() }},
		{ek.End, ek.SelectEnd, func() { m.col = len(m.lines[m.row]); m.setWant() }},
		{ek.Top, ek.SelectTop, func() { m.row, m.col = 0, 0; m.setWant() }},
		{ek.Bottom, ek.SelectBottom, func() { m.row = len(m.lines) - 1; m.col = len(m.lines[m.row]); m.setWant() }},
		{ek.PageUp, key.Binding{}, func() { m.vertical(-max(m.textHeight()-1, 1)) }},
		{ek.PageDn, key.Binding{}, func() { m.vertical(max(m.textHeight()-1, 1)) }},
	}
	for i, mv := range moves {
		extend := key.Matches(k, mv.extend)
		if !extend && !key.Matches(k, mv.plain) {
			continue
		}
		if extend || m.marking {
			if !m.sel {
				m.anchor, m.sel = m.cur(), true
			}
			mv.do()
			return true
		}
		// A plain left or right with a selection goes to its edge.
		if a, b, ok := m.selection(); ok && (i == 2 || i == 3) {
			m.sel = false
			if i == 2 {
				m.setCur(a)
			} else {
				m.setCur(b)
			}
			m.setWant()
			return true
		}
		m.sel = false
		mv.do()
		return true
	}
	return false
}

// editKey handles the keys that change the text by themselves: newline,
// deletions, indent. Over a selection they act on it.
func (m *Model) editKey(k tea.KeyPressMsg) bool {
	line := m.lines[m.row]
	a, b, hasSel := m.selection()
	switch {
	case key.Matches(k, m.keys.Newline):
		m.push(editOther)
		indent := line[:len(line)-len(strings.TrimLeft(line, " \t"))]
		if hasSel {
			indent = m.lines[a.row][:len(m.lines[a.row])-len(strings.TrimLeft(m.lines[a.row], " \t"))]
		}
		m.replaceSelection("\n" + indent)
		m.comp = nil
	case key.Matches(k, m.keys.Backspace):
		if hasSel {
			m.push(editOther)
			m.deleteRange(a, b)
			return true
		}
		m.backspace()
	case key.Matches(k, m.keys.Del):
		m.push(editOther)
		switch {
		case hasSel:
			m.deleteRange(a, b)
		case m.col < len(line):
			_, n := utf8.DecodeRuneInString(line[m.col:])
			m.lines[m.row] = line[:m.col] + line[m.col+n:]
		case m.row+1 < len(m.lines):
			m.join()
		}
	case key.Matches(k, m.keys.KillLine):
		m.push(editOther)
		switch {
		case hasSel:
			m.deleteRange(a, b)
		case m.col < len(line):
			m.lines[m.row] = line[:m.col]
		case m.row+1 < len(m.lines):
			m.join()
		}
	case key.Matches(k, m.keys.Indent):
		m.push(editOther)
		if hasSel && b.row > a.row {
			m.indentLines(a, b)
			return true
		}
		m.replaceSelection(indentUnit)
	default:
		return false
	}
	return true
}

// indentLines indents the lines of the selection a..b (not the last when
// the selection ends at its start) by one unit.
func (m *Model) indentLines(a, b pos) {
	last := b.row
	if b.col == 0 && b.row > a.row {
		last--
	}
	for r := a.row; r <= last; r++ {
		m.lines[r] = indentUnit + m.lines[r]
	}
	shift := func(p *pos) {
		if p.row >= a.row && p.row <= last {
			p.col += len(indentUnit)
		}
	}
	c := m.cur()
	shift(&c)
	shift(&m.anchor)
	m.setCur(c)
}

// pairs are the brackets and quotes typed in pairs.
var pairs = map[string]string{"(": ")", "[": "]", "{": "}", "'": "'", `"`: `"`}

// typed inserts what a key typed, pairing brackets and quotes: an opening
// bracket brings its closing one; typing a closing character that is
// already next steps over it; a quote is paired only where a value or
// name may start (not after a letter: don't). Over a selection, a bracket
// or quote wraps it; anything else replaces it.
func (m *Model) typed(t string) {
	if t == "" {
		return
	}
	if a, b, ok := m.selection(); ok {
		m.push(editOther)
		if closing, ok := pairs[t]; ok && a.row == b.row {
			inner := m.textIn(a, b)
			m.replaceSelection(t + inner + closing)
		} else {
			m.replaceSelection(t)
		}
		m.setWant()
		m.comp = nil
		return
	}
	m.sel = false
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
	if r, _ := utf8.DecodeRuneInString(t); len(t) == utf8.RuneLen(r) {
		switch {
		case isWordRune(r):
			kind = editWord
		case r == ' ':
			kind = editSpace
		default:
			kind = editTyped
		}
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
	// In the leading spaces, go back to the previous indent stop (the width
	// tab inserts), so that indents stay whole.
	if strings.TrimLeft(line[:m.col], " ") == "" {
		stop := (m.col - 1) / len(indentUnit) * len(indentUnit)
		m.lines[m.row] = line[:stop] + line[m.col:]
		m.col = stop
		m.setWant()
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
	m.col = colAt(m.lines[m.row], m.want)
}

// colAt is the byte offset in line of display column want (the end of the
// line when it is shorter).
func colAt(line string, want int) int {
	w, i := 0, 0
	for i < len(line) {
		r, n := utf8.DecodeRuneInString(line[i:])
		if w+runeWidth(r) > want {
			break
		}
		w += runeWidth(r)
		i += n
	}
	return i
}

func isWordRune(r rune) bool { return r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r) }

// textHeight is the lines of text on screen: the pane less the find bar
// and the error line below it.
func (m Model) textHeight() int {
	h := m.height
	if m.find != nil {
		h--
	}
	if m.mark != nil {
		h--
	}
	return max(h, 1)
}

// scroll keeps the cursor on screen.
func (m *Model) scroll() {
	m.row = max(min(m.row, len(m.lines)-1), 0)
	m.col = min(m.col, len(m.lines[m.row]))
	if m.width <= 0 || m.height <= 0 {
		return // no size yet: SetSize scrolls
	}
	h := m.textHeight()
	if m.row < m.top {
		m.top = m.row
	}
	if m.row >= m.top+h {
		m.top = m.row - h + 1
	}
	// No empty screen below the text while lines above it are scrolled
	// off (after an undo or a cut shrank it).
	m.top = max(min(m.top, len(m.lines)-h), 0)
	textW := max(m.width-gutter, 1)
	cx := textWidthOf(m.lines[m.row][:m.col])
	if cx < m.left || cx < textW {
		m.left = min(m.left, cx)
		if cx < textW {
			m.left = 0 // the cursor fits without scrolling sideways
		}
	}
	if cx >= m.left+textW {
		m.left = cx - textW + 1
	}
}
