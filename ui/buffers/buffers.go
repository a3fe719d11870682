// Package buffers is the workbench's editor tabs: one editor per tab,
// each with its own text, cursor, scroll and undo history; the tab bar
// above the editor (new, close, rename, next and previous by keys, a tab
// or + by the mouse); and the store that keeps the tabs across restarts,
// per principal.
//
// The root model holds the active tab's editor itself (its m.editor, the
// one the run flow reads); this Model holds the others, parked, and every
// operation that changes the active tab takes the live editor and gives
// back the one to hold next.
package buffers

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/quiltq/quiltq/ui/editor"
	"github.com/quiltq/quiltq/ui/keys"
	"github.com/quiltq/quiltq/ui/theme"
)

// maxName bounds a tab's name, in characters.
const maxName = 32

type tab struct {
	name string
	ed   editor.Model // parked; stale for the active tab, which the root holds
}

type mode int

const (
	browsing   mode = iota
	renaming        // the active tab's name is being typed
	confirming      // closing a tab that holds text waits for y or n
)

// Options are what every tab's editor is made with.
type Options struct {
	// Getenv reads $VISUAL and $EDITOR (nil: the editor's default).
	Getenv func(string) string
	// Clipboard is shared by the tabs (nil: a new one).
	Clipboard *editor.Clipboard
}

// shared is what every copy of a Model reads and none changes: bubbletea
// copies models at every message, and a theme alone is some 17 KB.
type shared struct {
	tmpl editor.Model // what a new tab's editor is made from (editor.Fresh)
	km   keys.Editor
	th   theme.Theme
}

// Model is the set of tabs.
type Model struct {
	*shared
	tabs   []tab
	active int
	nextID int // the next editor ID and "Tab N" number
	mode   mode
	input  string // the name being typed
	lines  int    // the lines of the tab whose closing is asked about
	gen    uint64 // counts changes to the tabs themselves (added, closed, renamed, switched)
}

// New returns the tabs, and the active tab's editor for the root to hold:
// the tabs of st when ok (as Store.Load gives them), else one empty tab.
func New(km keys.Editor, th theme.Theme, opts Options, st State, ok bool) (Model, editor.Model) {
	if opts.Clipboard == nil {
		opts.Clipboard = &editor.Clipboard{}
	}
	b := Model{shared: &shared{km: km, th: th}, nextID: 1}
	b.tmpl = editor.New(km, th)
	b.tmpl.SetClipboard(opts.Clipboard)
	if opts.Getenv != nil {
		b.tmpl.SetEnv(opts.Getenv)
	}
	if !ok || len(st.Buffers) == 0 {
		st = State{Buffers: []Buffer{{}}}
	}
	for _, buf := range st.Buffers {
		ed := b.newEditor(nil)
		ed.Restore(buf.Text, buf.Row, buf.Col)
		name := strings.TrimSpace(buf.Name)
		if name == "" {
			name = "Tab " + strconv.Itoa(ed.ID())
		}
		b.tabs = append(b.tabs, tab{name: name, ed: ed})
	}
	b.active = max(min(st.Active, len(b.tabs)-1), 0)
	return b, b.tabs[b.active].ed
}

// newEditor makes the editor of a new tab, completing from ix.
func (b *Model) newEditor(ix *editor.Index) editor.Model {
	ed := b.tmpl.Fresh()
	if ix != nil {
		ed.SetIndex(ix)
	}
	ed.SetID(b.nextID)
	b.nextID++
	return ed
}

// Len is the number of tabs.
func (b Model) Len() int { return len(b.tabs) }

// Active is the index of the active tab.
func (b Model) Active() int { return b.active }

// Names are the tabs' names, in order.
func (b Model) Names() []string {
	out := make([]string, len(b.tabs))
	for i, t := range b.tabs {
		out[i] = t.name
	}
	return out
}

// Gen changes whenever the tabs themselves change: one added, closed,
// renamed, switched to, or a parked one edited.
func (b Model) Gen() uint64 { return b.gen }

// Prompting reports whether the bar waits for a name or a yes or no: it
// takes the keys (and pastes) until it is answered.
func (b Model) Prompting() bool { return b.mode != browsing }

// PromptKeys names the keys that answer the bar's question, for the
// footer ("" when it asks none).
func (b Model) PromptKeys() string {
	switch b.mode {
	case confirming:
		return "y close the tab · n keep it"
	case renaming:
		return "enter rename the tab · esc keep its name"
	}
	return ""
}

// Add opens a new tab after the others with name (a "Tab N" name when
// empty) and text, parks live, and returns the new tab's editor.
func (b *Model) Add(live editor.Model, name, text string) editor.Model {
	b.park(live)
	ed := b.newEditor(live.Index())
	if text != "" {
		ed.Insert(text)
	}
	if name = cleanName(name); name == "" {
		name = "Tab " + strconv.Itoa(ed.ID())
	}
	b.tabs = append(b.tabs, tab{name: name, ed: ed})
	b.active = len(b.tabs) - 1
	b.gen++
	return b.take(live)
}

// park keeps live as the active tab's editor.
func (b *Model) park(live editor.Model) {
	live.Blur()
	b.tabs[b.active].ed = live
}

// take is the active tab's editor, ready to be held: focused as live was,
// completing from what live completes from (the root sizes it).
func (b *Model) take(live editor.Model) editor.Model {
	ed := b.tabs[b.active].ed
	ed.SetIndex(live.Index())
	if live.Focused() {
		ed.Focus()
	}
	return ed
}

// Switch makes tab i the active one.
func (b *Model) Switch(live editor.Model, i int) editor.Model {
	if i < 0 || i >= len(b.tabs) || i == b.active {
		return live
	}
	b.park(live)
	b.active = i
	b.gen++
	return b.take(live)
}

// closeActive closes the active tab (the last one is replaced by an empty
// one) and returns the editor of the tab that takes its place.
func (b *Model) closeActive(live editor.Model) editor.Model {
	focused := live.Focused()
	b.tabs = append(b.tabs[:b.active], b.tabs[b.active+1:]...)
	if len(b.tabs) == 0 {
		b.tabs = append(b.tabs, tab{ed: b.newEditor(nil)})
		b.tabs[0].name = "Tab " + strconv.Itoa(b.tabs[0].ed.ID())
	}
	b.active = min(b.active, len(b.tabs)-1)
	b.gen++
	ed := b.tabs[b.active].ed
	ed.SetIndex(live.Index())
	if focused {
		ed.Focus()
	}
	return ed
}

// Rename names the active tab (a blank name keeps the old one).
func (b *Model) Rename(name string) {
	if name = cleanName(name); name != "" && name != b.tabs[b.active].name {
		b.tabs[b.active].name = name
		b.gen++
	}
}

// cleanName is name on one line, without control characters, trimmed and
// at most maxName characters.
func cleanName(name string) string {
	name = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || r >= 0x80 && r < 0xa0 {
			return -1
		}
		return r
	}, name)
	name = strings.TrimSpace(name)
	if utf8.RuneCountInString(name) > maxName {
		name = string([]rune(name)[:maxName])
	}
	return name
}

// Deliver hands msg to the parked editor it is for (an ExternalEditedMsg
// from a tab left while its $EDITOR ran), and reports whether one took it.
func (b *Model) Deliver(msg editor.ExternalEditedMsg) (tea.Cmd, bool) {
	for i := range b.tabs {
		if i != b.active && b.tabs[i].ed.ID() == msg.ID {
			var cmd tea.Cmd
			b.tabs[i].ed, cmd = b.tabs[i].ed.Update(msg)
			b.gen++
			return cmd, true
		}
	}
	return nil, false
}

// Apply calls f on the parked editor of buffer id (editor.Model.ID), and
// reports whether one has that ID: a run started in a tab the user has
// since left still clears its running highlight, or marks its error,
// there.
func (b *Model) Apply(id int, f func(*editor.Model)) bool {
	for i := range b.tabs {
		if i != b.active && b.tabs[i].ed.ID() == id {
			f(&b.tabs[i].ed)
			b.gen++
			return true
		}
	}
	return false
}

// NoteMsg is a line for the status bar saying what the tabs did.
type NoteMsg struct{ Text string }

func note(s string) tea.Cmd { return func() tea.Msg { return NoteMsg{Text: s} } }

// Update handles the tab keys, and every key and paste while the bar
// prompts. handled is false for what is not the tabs' (the root gives it
// to the editor). live is the active tab's editor, and the editor
// returned the one to hold next.
func (b Model) Update(msg tea.Msg, live editor.Model) (_ Model, next editor.Model, cmd tea.Cmd, handled bool) {
	if b.mode != browsing {
		return b.prompt(msg, live)
	}
	k, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return b, live, nil, false
	}
	switch {
	case key.Matches(k, b.km.NewTab):
		live = b.Add(live, "", "")
		return b, live, note("new tab " + b.tabs[b.active].name + " (" + b.km.CloseTab.Help().Key + " closes it, " + b.km.RenameTab.Help().Key + " renames it)"), true
	case key.Matches(k, b.km.CloseTab):
		if v := live.Value(); strings.TrimSpace(v) != "" {
			b.mode, b.lines = confirming, strings.Count(strings.TrimRight(v, "\n"), "\n")+1
			return b, live, nil, true
		}
		name := b.tabs[b.active].name
		live = b.closeActive(live)
		return b, live, note("closed the empty tab " + name), true
	case key.Matches(k, b.km.RenameTab):
		b.mode, b.input = renaming, b.tabs[b.active].name
		return b, live, nil, true
	case key.Matches(k, b.km.NextTab):
		return b, b.Switch(live, (b.active+1)%len(b.tabs)), nil, true
	case key.Matches(k, b.km.PrevTab):
		return b, b.Switch(live, (b.active+len(b.tabs)-1)%len(b.tabs)), nil, true
	}
	return b, live, nil, false
}

// prompt takes a key or a paste while the bar asks for a name or a yes or
// no.
func (b Model) prompt(msg tea.Msg, live editor.Model) (Model, editor.Model, tea.Cmd, bool) {
	switch msg := msg.(type) {
	case tea.PasteMsg:
		if b.mode == renaming {
			b.input = cleanName(b.input + strings.ReplaceAll(msg.Content, "\n", " "))
		}
		return b, live, nil, true
	case tea.KeyPressMsg:
		s := msg.String()
		if b.mode == confirming {
			switch s {
			case "y", "Y", "enter":
				name := b.tabs[b.active].name
				b.mode = browsing
				live = b.closeActive(live)
				return b, live, note("closed the tab " + name), true
			case "n", "N", "esc", "ctrl+c":
				b.mode = browsing
				return b, live, note("kept the tab"), true
			}
			return b, live, nil, true
		}
		switch s {
		case "enter":
			b.mode = browsing
			b.Rename(b.input)
		case "esc", "ctrl+c":
			b.mode = browsing
		case "backspace":
			if b.input != "" {
				_, n := utf8.DecodeLastRuneInString(b.input)
				b.input = b.input[:len(b.input)-n]
			}
		default:
			if msg.Text != "" && msg.Mod&^tea.ModShift == 0 && utf8.RuneCountInString(b.input) < maxName {
				b.input += cleanName(msg.Text)
				if msg.Text == " " {
					b.input += " "
				}
			}
		}
		return b, live, nil, true
	}
	return b, live, nil, false
}

// State is the tabs as the store keeps them, with live as the active
// tab's editor.
func (b Model) State(live editor.Model) State {
	st := State{Active: b.active, Buffers: make([]Buffer, len(b.tabs))}
	for i, t := range b.tabs {
		ed := t.ed
		if i == b.active {
			ed = live
		}
		row, col := ed.Cursor()
		st.Buffers[i] = Buffer{Name: t.name, Text: ed.Value(), Row: row, Col: col}
	}
	return st
}

// Hit is what a click on the bar at x lands on: a tab's index, or one of
// the bar's other parts.
const (
	HitNone  = -1 // the title, a gap
	HitNew   = -2 // the + button
	HitLeft  = -3 // the ‹ of tabs hidden on the left
	HitRight = -4
)

// segment is a part of the bar, from x0 to x1 (display columns).
type segment struct {
	x0, x1 int
	hit    int
	text   string
	style  lipgloss.Style
}

// layout lays the bar out in width columns: the title, the tabs around
// the active one that fit (‹ and › for those that do not), and +.
func (b Model) layout(width int, focused bool) []segment {
	title := b.th.Muted
	if focused {
		title = b.th.Title
	}
	segs := []segment{{hit: HitNone, text: "Query ", style: title}}
	label := func(i int) (string, lipgloss.Style) {
		name := b.tabs[i].name
		if i != b.active {
			return " " + name + " ", b.th.Muted
		}
		st := b.th.Title.Reverse(b.th.NoColor)
		switch b.mode {
		case renaming:
			return "[" + b.input + "▏]", st
		}
		return "[" + name + "]", st
	}
	if b.mode == confirming {
		what := "1 line"
		if b.lines != 1 {
			what = strconv.Itoa(b.lines) + " lines"
		}
		q := fmt.Sprintf("Close “%s”? It holds text (%s): y closes it, n keeps it", b.tabs[b.active].name, what)
		segs = append(segs, segment{hit: HitNone, text: q, style: b.th.Warning})
		return place(segs)
	}
	// Widen the window of tabs around the active one while they fit.
	avail := width - ansi.StringWidth(segs[0].text) - 2 // the + button
	w := func(i int) int { s, _ := label(i); return ansi.StringWidth(s) }
	lo, hi := b.active, b.active
	used := w(b.active)
	for grew := true; grew; {
		grew = false
		if hi+1 < len(b.tabs) && used+w(hi+1)+2 <= avail {
			hi++
			used += w(hi)
			grew = true
		}
		if lo > 0 && used+w(lo-1)+2 <= avail {
			lo--
			used += w(lo)
			grew = true
		}
	}
	if lo > 0 {
		segs = append(segs, segment{hit: HitLeft, text: "‹", style: b.th.Muted})
	}
	for i := lo; i <= hi; i++ {
		s, st := label(i)
		segs = append(segs, segment{hit: i, text: s, style: st})
	}
	plus := " +"
	if hi < len(b.tabs)-1 {
		segs = append(segs, segment{hit: HitRight, text: "›", style: b.th.Muted})
	} else if hi != b.active {
		plus = "+" // after the space that ends an inactive tab's label
	}
	segs = append(segs, segment{hit: HitNew, text: plus, style: b.th.Muted})
	return place(segs)
}

func place(segs []segment) []segment {
	x := 0
	for i := range segs {
		segs[i].x0 = x
		x += ansi.StringWidth(segs[i].text)
		segs[i].x1 = x
	}
	return segs
}

// View is the tab bar, width columns wide.
func (b Model) View(width int, focused bool) string {
	var sb strings.Builder
	for _, s := range b.layout(width, focused) {
		if s.text != "" {
			sb.WriteString(s.style.Render(s.text))
		}
	}
	out := ansi.Truncate(sb.String(), width, "…")
	return out + strings.Repeat(" ", max(width-ansi.StringWidth(out), 0))
}

// At is what the bar shows at column x: a tab's index or a Hit constant.
func (b Model) At(x, width int) int {
	if b.mode != browsing {
		return HitNone
	}
	for _, s := range b.layout(width, true) {
		if x >= s.x0 && x < s.x1 {
			return s.hit
		}
	}
	return HitNone
}

// Click acts on a click at column x of the bar: a tab becomes the active
// one, + opens a new tab, ‹ and › step to the tab before or after.
func (b *Model) Click(live editor.Model, x, width int) editor.Model {
	switch h := b.At(x, width); {
	case h >= 0:
		return b.Switch(live, h)
	case h == HitNew:
		return b.Add(live, "", "")
	case h == HitLeft:
		return b.Switch(live, b.active-1)
	case h == HitRight:
		return b.Switch(live, b.active+1)
	}
	return live
}
