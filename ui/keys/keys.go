// Package keys is the workbench's one keymap: every binding with its help
// text, built once at start-up from the defaults and the user's overrides,
// and handed to the panes. Help (the `?` screen) is generated from it.
package keys

import (
	"fmt"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"charm.land/bubbles/v2/key"
)

// Global are the keys that work whichever pane has the focus.
type Global struct {
	// Run runs the statement under the cursor, or the selection; RunAll
	// every statement of the buffer in order.
	Run, RunAll, Cancel, Quit               key.Binding
	FocusCatalog, FocusEditor, FocusResults key.Binding
	NextPane, PrevPane                      key.Binding
	History, Explain, Help                  key.Binding
	// Reuse turns result reuse on and off for the workbench's runs.
	Reuse key.Binding
}

// Editor are the SQL editor's keys, its find bar's and its tabs'.
// Printable keys insert themselves (or replace the selection).
type Editor struct {
	Up, Down, Left, Right     key.Binding
	WordLeft, WordRight       key.Binding
	Home, End, PageUp, PageDn key.Binding
	Top, Bottom               key.Binding
	Newline, Backspace, Del   key.Binding
	Indent                    key.Binding
	Complete, Undo, Redo      key.Binding
	KillLine                  key.Binding

	// Selection: shift with a move extends it; Mark starts one that plain
	// moves extend, for terminals that do not send shift+arrows.
	SelectLeft, SelectRight, SelectUp, SelectDown  key.Binding
	SelectWordLeft, SelectWordRight                key.Binding
	SelectHome, SelectEnd, SelectTop, SelectBottom key.Binding
	SelectAll, Mark                                key.Binding
	// Copy (of a selection; without one ctrl+c stays the global cancel),
	// cut, and paste of what was cut or copied in quiltq.
	Copy, Cut, Paste key.Binding

	// The find bar.
	Find, FindNext, FindPrev, FindCase key.Binding

	Comment, Format, External key.Binding

	// The editor's tabs (buffers).
	NewTab, CloseTab, RenameTab, NextTab, PrevTab key.Binding
}

// Results are the result grid's keys (and its tabs').
type Results struct {
	Up, Down, Left, Right      key.Binding
	PageUp, PageDown           key.Binding
	Top, Bottom, First, Last   key.Binding
	Inspect, Select            key.Binding
	CopyCell, CopyRow          key.Binding
	CopyFormat, Export         key.Binding
	Sort, Filter, Record       key.Binding
	Freeze                     key.Binding
	Widen, Narrow, AutoWidth   key.Binding
	ShowSQL                    key.Binding
	NextTab, PrevTab, CloseTab key.Binding
}

// Catalog are the catalog tree's keys.
type Catalog struct {
	Up, Down, PageUp, PageDown key.Binding
	Top, Bottom                key.Binding
	Expand, Collapse           key.Binding
	Insert, Preview, Filter    key.Binding
	Refresh                    key.Binding
	// Doctor runs the doctor's probes (why listing is refused).
	Doctor key.Binding
	// Wider and Narrower resize the pane (the width is remembered).
	Wider, Narrower key.Binding
}

// History are the history list's keys.
type History struct {
	Up, Down, Open, Load, Search, Switch key.Binding
}

// Explain are the explanation panel's own keys (it scrolls and copies
// with the grid's).
type Explain struct {
	Doctor key.Binding
	// Apply adds the statement shown to the role: the sandbox's only.
	Apply key.Binding
	// Open explains the catalog tree's refusal picked from its list.
	Open key.Binding
}

// Confirm answers the questions the workbench asks before it replaces a
// running query with a new run, and before it sends a destructive
// statement.
type Confirm struct {
	Yes, No key.Binding
}

// Help are the help screen's keys.
type Help struct {
	Up, Down, PageUp, PageDown key.Binding
}

// KeyMap is every binding of the workbench.
type KeyMap struct {
	Global  Global
	Editor  Editor
	Results Results
	Catalog Catalog
	History History
	Explain Explain
	Confirm Confirm
	Help    Help
}

func b(help string, keys ...string) key.Binding {
	return key.NewBinding(key.WithKeys(keys...), key.WithHelp(strings.Join(keys, "/"), help))
}

// Default is the keymap before the user's overrides. Every action that a
// terminal may not deliver (ctrl+enter on most terminals) has an
// alternative every terminal sends.
func Default() KeyMap {
	return KeyMap{
		Global: Global{
			Run:          b("run the statement under the cursor, or the selection", "ctrl+enter", "f5", "ctrl+r"),
			RunAll:       b("run every statement, each in its own result tab", "shift+f5", "ctrl+g"),
			Cancel:       b("cancel the running query (stops it on Athena) or its fetch; close a panel", "esc", "ctrl+c"),
			Quit:         b("quit", "ctrl+q", "f10"),
			FocusCatalog: b("focus the catalog", "f2", "alt+1"),
			FocusEditor:  b("focus the editor", "f3", "alt+2"),
			FocusResults: b("focus the results", "f4", "alt+3"),
			NextPane:     b("next pane (outside the editor)", "tab"),
			PrevPane:     b("previous pane", "shift+tab"),
			History:      b("history: your queries and the workgroup's", "f7", "alt+h"),
			Explain:      b("show or hide the explanation of the last refusal", "f8", "alt+e"),
			Help:         b("this help", "f1", "?"),
			Reuse:        b("result reuse on/off: Athena may answer a repeat with a stored result (no scan, no cost)", "alt+u"),
		},
		Editor: Editor{
			Up:        b("line up", "up"),
			Down:      b("line down", "down"),
			Left:      b("left", "left"),
			Right:     b("right", "right"),
			WordLeft:  b("word left", "ctrl+left", "alt+b"),
			WordRight: b("word right", "ctrl+right", "alt+f"),
			Home:      b("start of line", "home"),
			End:       b("end of line", "end"),
			PageUp:    b("page up", "pgup"),
			PageDn:    b("page down", "pgdown"),
			Top:       b("start of the query", "ctrl+home"),
			Bottom:    b("end of the query", "ctrl+end"),
			Newline:   b("new line (keeps the indent)", "enter"),
			Backspace: b("delete left (a pair when empty)", "backspace"),
			Del:       b("delete right", "delete", "ctrl+d"),
			Indent:    b("accept the completion, or indent", "tab"),
			Complete:  b("complete keywords, catalogs, tables, columns", "ctrl+space", "alt+/"),
			Undo:      b("undo", "ctrl+z", "ctrl+u"),
			Redo:      b("redo", "ctrl+y"),
			KillLine:  b("delete to end of line (the selection when there is one)", "alt+k"),

			SelectLeft:      b("select left", "shift+left"),
			SelectRight:     b("select right", "shift+right"),
			SelectUp:        b("select up", "shift+up"),
			SelectDown:      b("select down", "shift+down"),
			SelectWordLeft:  b("select a word left", "ctrl+shift+left"),
			SelectWordRight: b("select a word right", "ctrl+shift+right"),
			SelectHome:      b("select to start of line", "shift+home"),
			SelectEnd:       b("select to end of line", "shift+end"),
			SelectTop:       b("select to start of the buffer", "ctrl+shift+home"),
			SelectBottom:    b("select to end of the buffer", "ctrl+shift+end"),
			SelectAll:       b("select all", "ctrl+a"),
			Mark:            b("start a selection that the arrows extend (esc drops it)", "alt+m"),
			Copy:            b("copy the selection (also to the system clipboard, OSC 52)", "ctrl+c", "ctrl+insert", "alt+w"),
			Cut:             b("cut the selection, or the line", "ctrl+x", "shift+delete"),
			Paste:           b("paste what was cut or copied here (the terminal's paste brings the system clipboard)", "ctrl+v", "shift+insert"),

			Find:     b("find in the buffer", "ctrl+f"),
			FindNext: b("find: next match", "enter", "down"),
			FindPrev: b("find: previous match", "shift+enter", "up"),
			FindCase: b("find: match case on/off", "alt+c"),

			Comment:  b("comment or uncomment the line or the selected lines (--)", "ctrl+/", "ctrl+_", "alt+;"),
			Format:   b("format the SQL (the selection, else the buffer)", "f9", "alt+q"),
			External: b("edit the buffer in $VISUAL or $EDITOR (vi)", "ctrl+e"),

			NewTab:    b("new tab", "ctrl+n", "alt+n"),
			CloseTab:  b("close the tab (asks when it holds text)", "ctrl+w"),
			RenameTab: b("rename the tab", "ctrl+o", "alt+r"),
			NextTab:   b("next tab", "ctrl+k", "ctrl+pgdown", "alt+."),
			PrevTab:   b("previous tab", "ctrl+pgup", "alt+,"),
		},
		Results: Results{
			Up:         b("row up", "up", "k"),
			Down:       b("row down", "down", "j"),
			Left:       b("column left", "left", "h"),
			Right:      b("column right", "right", "l"),
			PageUp:     b("page up", "pgup", "ctrl+b"),
			PageDown:   b("page down", "pgdown", "ctrl+f", "space"),
			Top:        b("first row", "g", "home"),
			Bottom:     b("last row", "G", "end"),
			First:      b("first column", "0", "^"),
			Last:       b("last column", "$"),
			Inspect:    b("inspect the cell (JSON pretty-printed)", "enter"),
			Select:     b("start or end a selection", "v"),
			CopyCell:   b("copy the cell, or the selection", "y"),
			CopyRow:    b("copy the row", "Y"),
			CopyFormat: b("copy as TSV, CSV or JSON (cycles)", "f"),
			Export:     b("export the whole result to a file (.csv .tsv .json .jsonl .parquet .md)", "ctrl+s", "s"),
			Sort:       b("sort by the column: ascending, descending, off", "o"),
			Filter:     b("filter the rows loaded: text in any column, or column=value", "/"),
			Record:     b("show the row as a record, one column a line (psql's \\x)", "x"),
			Freeze:     b("freeze the first column, or let it scroll", "F"),
			Widen:      b("widen the column", ">", "+"),
			Narrow:     b("narrow the column", "<", "-"),
			AutoWidth:  b("give the column its automatic width again", "="),
			ShowSQL:    b("show or hide the SQL that made the result", "Q"),
			NextTab:    b("next result tab", "]", "ctrl+pgdown"),
			PrevTab:    b("previous result tab", "[", "ctrl+pgup"),
			CloseTab:   b("close the result tab", "X", "ctrl+w"),
		},
		Catalog: Catalog{
			Up:       b("up", "up", "k"),
			Down:     b("down", "down", "j"),
			PageUp:   b("page up", "pgup"),
			PageDown: b("page down", "pgdown"),
			Top:      b("first row", "home", "g"),
			Bottom:   b("last row", "end", "G"),
			Expand:   b("expand", "right", "l", "space"),
			Collapse: b("collapse", "left", "h"),
			Insert:   b("insert the quoted name into the editor; on a ✗ refusal, explain it", "enter"),
			Preview:  b("preview: SELECT * ... LIMIT 100", "p"),
			Filter:   b("filter by name", "/"),
			Refresh:  b("list anew from Athena", "ctrl+l"),
			Doctor:   b("run the doctor's probes (why listing is refused)", "d"),
			Wider:    b("widen the catalog pane (remembered)", ">"),
			Narrower: b("narrow the catalog pane (remembered)", "<"),
		},
		History: History{
			Up:     b("up", "up", "ctrl+p"),
			Down:   b("down", "down", "ctrl+n"),
			Open:   b("reopen the results (no new run); a saved query: load it", "enter"),
			Load:   b("load the SQL into the editor", "ctrl+o"),
			Search: b("search (type to filter)", "/"),
			Switch: b("your queries / the workgroup's / saved queries", "tab"),
		},
		Explain: Explain{
			Doctor: b("run the doctor's probes for this session", "d", "f6"),
			Apply:  b("apply the statement to the role (sandbox only)", "a"),
			Open:   b("explain the catalog tree's refusal under the cursor", "enter"),
		},
		Confirm: Confirm{
			Yes: b("yes: run it (a running query is stopped first; a destructive statement is sent)", "y"),
			No:  b("no: send nothing (a running query keeps running)", "n"),
		},
		Help: Help{
			Up:       b("scroll up", "up", "k"),
			Down:     b("scroll down", "down", "j"),
			PageUp:   b("page up", "pgup"),
			PageDown: b("page down", "pgdown", "space"),
		},
	}
}

// Entry is one binding with its group and name, as help lists it and as
// the config names it ("global.run", "results.copy_cell").
type Entry struct {
	Group, Name string
	Binding     *key.Binding
}

// Entries lists every binding of m, group by group, in a stable order.
func (m *KeyMap) Entries() []Entry {
	var out []Entry
	add := func(group string, names []string, bs ...*key.Binding) {
		for i, bd := range bs {
			out = append(out, Entry{Group: group, Name: names[i], Binding: bd})
		}
	}
	g := &m.Global
	add("global", []string{"run", "run_all", "cancel", "quit", "focus_catalog", "focus_editor", "focus_results", "next_pane", "prev_pane", "history", "explain", "help", "reuse"},
		&g.Run, &g.RunAll, &g.Cancel, &g.Quit, &g.FocusCatalog, &g.FocusEditor, &g.FocusResults, &g.NextPane, &g.PrevPane, &g.History, &g.Explain, &g.Help, &g.Reuse)
	e := &m.Editor
	add("editor", []string{"up", "down", "left", "right", "word_left", "word_right", "home", "end", "page_up", "page_down", "top", "bottom", "newline", "backspace", "delete", "indent", "complete", "undo", "redo", "kill_line"},
		&e.Up, &e.Down, &e.Left, &e.Right, &e.WordLeft, &e.WordRight, &e.Home, &e.End, &e.PageUp, &e.PageDn, &e.Top, &e.Bottom, &e.Newline, &e.Backspace, &e.Del, &e.Indent, &e.Complete, &e.Undo, &e.Redo, &e.KillLine)
	add("editor", []string{"select_left", "select_right", "select_up", "select_down", "select_word_left", "select_word_right", "select_home", "select_end", "select_top", "select_bottom", "select_all", "mark", "copy", "cut", "paste"},
		&e.SelectLeft, &e.SelectRight, &e.SelectUp, &e.SelectDown, &e.SelectWordLeft, &e.SelectWordRight, &e.SelectHome, &e.SelectEnd, &e.SelectTop, &e.SelectBottom, &e.SelectAll, &e.Mark, &e.Copy, &e.Cut, &e.Paste)
	add("editor", []string{"find", "find_next", "find_previous", "find_case", "comment", "format", "external_editor", "new_tab", "close_tab", "rename_tab", "next_tab", "previous_tab"},
		&e.Find, &e.FindNext, &e.FindPrev, &e.FindCase, &e.Comment, &e.Format, &e.External, &e.NewTab, &e.CloseTab, &e.RenameTab, &e.NextTab, &e.PrevTab)
	r := &m.Results
	add("results", []string{"up", "down", "left", "right", "page_up", "page_down", "top", "bottom", "first", "last", "inspect", "select", "copy_cell", "copy_row", "copy_format", "export",
		"sort", "filter", "record", "freeze", "widen", "narrow", "auto_width", "show_sql", "next_tab", "prev_tab", "close_tab"},
		&r.Up, &r.Down, &r.Left, &r.Right, &r.PageUp, &r.PageDown, &r.Top, &r.Bottom, &r.First, &r.Last, &r.Inspect, &r.Select, &r.CopyCell, &r.CopyRow, &r.CopyFormat, &r.Export,
		&r.Sort, &r.Filter, &r.Record, &r.Freeze, &r.Widen, &r.Narrow, &r.AutoWidth, &r.ShowSQL, &r.NextTab, &r.PrevTab, &r.CloseTab)
	c := &m.Catalog
	add("catalog", []string{"up", "down", "page_up", "page_down", "top", "bottom", "expand", "collapse", "insert", "preview", "filter", "refresh", "doctor", "wider", "narrower"},
		&c.Up, &c.Down, &c.PageUp, &c.PageDown, &c.Top, &c.Bottom, &c.Expand, &c.Collapse, &c.Insert, &c.Preview, &c.Filter, &c.Refresh, &c.Doctor, &c.Wider, &c.Narrower)
	h := &m.History
	add("history", []string{"up", "down", "open", "load", "search", "switch"},
		&h.Up, &h.Down, &h.Open, &h.Load, &h.Search, &h.Switch)
	add("explain", []string{"doctor", "apply", "open"}, &m.Explain.Doctor, &m.Explain.Apply, &m.Explain.Open)
	add("confirm", []string{"yes", "no"}, &m.Confirm.Yes, &m.Confirm.No)
	hp := &m.Help
	add("help", []string{"up", "down", "page_up", "page_down"}, &hp.Up, &hp.Down, &hp.PageUp, &hp.PageDown)
	return out
}

// RemapError is a refused override: the binding it names and why.
type RemapError struct {
	Name string // "group.action" as the config wrote it
	Err  error
}

func (e *RemapError) Error() string { return fmt.Sprintf("keys: %q: %v", e.Name, e.Err) }

func (e *RemapError) Unwrap() error { return e.Err }

// Remap applies the user's overrides, "group.name" to the keys that
// replace the binding's keys (an empty list unbinds it). A name the keymap
// does not have, or a key no terminal sends as written, is a *RemapError
// naming it, so that a typo in the config is not silently ignored; then
// nothing is changed.
func (m *KeyMap) Remap(overrides map[string][]string) error {
	byName := map[string]*key.Binding{}
	var names []string
	for _, e := range m.Entries() {
		byName[e.Group+"."+e.Name] = e.Binding
		names = append(names, e.Group+"."+e.Name)
	}
	order := make([]string, 0, len(overrides))
	for n := range overrides {
		order = append(order, n)
	}
	sort.Strings(order)
	for _, n := range order {
		if _, ok := byName[n]; !ok {
			return &RemapError{Name: n, Err: fmt.Errorf("no such binding%s: names are group.action, as `?` lists them (global.run, results.copy_cell, ...)", nearest(n, names))}
		}
		for _, k := range overrides[n] {
			if err := Check(k); err != nil {
				return &RemapError{Name: n, Err: err}
			}
		}
	}
	for _, n := range order {
		bd, ks := byName[n], overrides[n]
		if len(ks) == 0 {
			bd.Unbind()
			continue
		}
		desc := bd.Help().Desc
		bd.SetKeys(ks...)
		bd.SetHelp(strings.Join(ks, "/"), desc)
		bd.SetEnabled(true)
	}
	return nil
}

// named are the keys written by name, as the terminal reports them.
func named(k string) bool {
	switch k {
	case "enter", "tab", "backspace", "esc", "space", "up", "down", "left", "right", "begin", "find",
		"insert", "delete", "select", "pgup", "pgdown", "home", "end":
		return true
	}
	if n, ok := strings.CutPrefix(k, "f"); ok && n != "" && len(n) <= 2 && strings.Trim(n, "0123456789") == "" && n[0] != '0' {
		return true
	}
	return false
}

// Check reports whether k is a key as bubbletea writes it: modifiers in
// the order ctrl, alt, shift, meta, hyper, super, then a key name (enter,
// pgdown, f5, ...) or one character. A shifted character is written as
// the character ("G", not "shift+g").
func Check(k string) error {
	if k == "" {
		return fmt.Errorf("an empty key: write a key such as \"ctrl+x\" or \"f9\"")
	}
	base, mods := k, []string(nil)
	for {
		i := strings.Index(base, "+")
		if i <= 0 || i == len(base)-1 {
			break
		}
		mods, base = append(mods, base[:i]), base[i+1:]
	}
	order := []string{"ctrl", "alt", "shift", "meta", "hyper", "super"}
	last := -1
	for _, md := range mods {
		i := indexOf(order, md)
		if i < 0 {
			return fmt.Errorf("key %q: %q is not a modifier (ctrl, alt, shift, meta, hyper, super)", k, md)
		}
		if i <= last {
			return fmt.Errorf("key %q: write the modifiers in the order ctrl, alt, shift, meta, hyper, super (as the terminal reports them)", k)
		}
		last = i
	}
	if named(base) {
		return nil
	}
	rs := []rune(base)
	// One printable character: a control character (C1's CSI included), a
	// byte that is not UTF-8 or a format character is no key a terminal
	// sends, and would act on the terminal when help shows it.
	if len(rs) == 1 && rs[0] > ' ' && (!utf8.ValidString(base) || !unicode.IsPrint(rs[0])) {
		return fmt.Errorf("key %q: %q is not a printable character (a control or format character, or a byte that is not UTF-8): no terminal sends it as a key", k, base)
	}
	if len(rs) != 1 || rs[0] <= ' ' {
		return fmt.Errorf("key %q: %q is neither a key name (enter, esc, tab, space, up, pgdown, home, f1 to f63, ...) nor one character", k, base)
	}
	if len(mods) == 1 && mods[0] == "shift" {
		return fmt.Errorf("key %q: a shifted character is written as the character itself (\"G\", not \"shift+g\")", k)
	}
	return nil
}

func indexOf(xs []string, x string) int {
	for i, v := range xs {
		if v == x {
			return i
		}
	}
	return -1
}

// nearest is ` (did you mean "x"?)` for the name of names closest to n
// when it differs by a word, else "".
func nearest(n string, names []string) string {
	group, action, _ := strings.Cut(n, ".")
	for _, c := range names {
		g, a, _ := strings.Cut(c, ".")
		if (g == group) != (a == action) && (strings.EqualFold(c, n) || g == group && strings.Contains(a, action) || a == action) {
			return fmt.Sprintf(" (did you mean %q?)", c)
		}
	}
	return ""
}
