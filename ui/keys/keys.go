// Package keys is the workbench's one keymap: every binding with its help
// text, built once at start-up from the defaults and the user's overrides,
// and handed to the panes. Help (the `?` screen) is generated from it.
package keys

import (
	"fmt"
	"sort"
	"strings"

	"charm.land/bubbles/v2/key"
)

// Global are the keys that work whichever pane has the focus.
type Global struct {
	Run, Cancel, Quit                       key.Binding
	FocusCatalog, FocusEditor, FocusResults key.Binding
	NextPane, PrevPane                      key.Binding
	History, Explain, Help                  key.Binding
}

// Editor are the SQL editor's keys. Printable keys insert themselves.
type Editor struct {
	Up, Down, Left, Right     key.Binding
	WordLeft, WordRight       key.Binding
	Home, End, PageUp, PageDn key.Binding
	Top, Bottom               key.Binding
	Newline, Backspace, Del   key.Binding
	Indent                    key.Binding
	Complete, Undo, Redo      key.Binding
	KillLine                  key.Binding
}

// Results are the result grid's keys.
type Results struct {
	Up, Down, Left, Right    key.Binding
	PageUp, PageDown         key.Binding
	Top, Bottom, First, Last key.Binding
	Inspect, Select          key.Binding
	CopyCell, CopyRow        key.Binding
	CopyFormat, Export       key.Binding
}

// Catalog are the catalog tree's keys.
type Catalog struct {
	Up, Down, PageUp, PageDown key.Binding
	Expand, Collapse           key.Binding
	Insert, Preview, Filter    key.Binding
	Refresh                    key.Binding
}

// History are the history list's keys.
type History struct {
	Up, Down, Open, Load, Search, Switch key.Binding
}

// KeyMap is every binding of the workbench.
type KeyMap struct {
	Global  Global
	Editor  Editor
	Results Results
	Catalog Catalog
	History History
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
			Run:          b("run the query", "ctrl+enter", "f5", "ctrl+r"),
			Cancel:       b("cancel the running query (stops it on Athena); close a panel", "esc", "ctrl+c"),
			Quit:         b("quit", "ctrl+q", "f10"),
			FocusCatalog: b("focus the catalog", "f2", "alt+1"),
			FocusEditor:  b("focus the editor", "f3", "alt+2"),
			FocusResults: b("focus the results", "f4", "alt+3"),
			NextPane:     b("next pane (outside the editor)", "tab"),
			PrevPane:     b("previous pane", "shift+tab"),
			History:      b("history: your queries and the workgroup's", "f7", "alt+h"),
			Explain:      b("show or hide the explanation of the last refusal", "f8", "alt+e"),
			Help:         b("this help", "f1", "?"),
		},
		Editor: Editor{
			Up:        b("line up", "up"),
			Down:      b("line down", "down"),
			Left:      b("left", "left"),
			Right:     b("right", "right"),
			WordLeft:  b("word left", "ctrl+left", "alt+b"),
			WordRight: b("word right", "ctrl+right", "alt+f"),
			Home:      b("start of line", "home", "ctrl+a"),
			End:       b("end of line", "end", "ctrl+e"),
			PageUp:    b("page up", "pgup"),
			PageDn:    b("page down", "pgdown"),
			Top:       b("start of the query", "ctrl+home"),
			Bottom:    b("end of the query", "ctrl+end"),
			Newline:   b("new line (keeps the indent)", "enter"),
			Backspace: b("delete left (a pair when empty)", "backspace"),
			Del:       b("delete right", "delete", "ctrl+d"),
			Indent:    b("accept the completion, or indent", "tab"),
			Complete:  b("complete keywords, catalogs, tables, columns", "ctrl+space", "ctrl+n"),
			Undo:      b("undo", "ctrl+z", "ctrl+u"),
			Redo:      b("redo", "ctrl+y"),
			KillLine:  b("delete to end of line", "ctrl+k"),
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
			Export:     b("export the whole result to a file", "ctrl+s", "s"),
		},
		Catalog: Catalog{
			Up:       b("up", "up", "k"),
			Down:     b("down", "down", "j"),
			PageUp:   b("page up", "pgup"),
			PageDown: b("page down", "pgdown"),
			Expand:   b("expand", "right", "l", "space"),
			Collapse: b("collapse", "left", "h"),
			Insert:   b("insert the quoted name into the editor", "enter"),
			Preview:  b("preview: SELECT * ... LIMIT 100", "p"),
			Filter:   b("filter by name", "/"),
			Refresh:  b("list anew from Athena", "ctrl+l"),
		},
		History: History{
			Up:     b("up", "up", "ctrl+p"),
			Down:   b("down", "down", "ctrl+n"),
			Open:   b("reopen the results (no new run)", "enter"),
			Load:   b("load the SQL into the editor", "ctrl+o"),
			Search: b("search (type to filter)", "/"),
			Switch: b("your queries / the workgroup's", "tab"),
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
	add("global", []string{"run", "cancel", "quit", "focus_catalog", "focus_editor", "focus_results", "next_pane", "prev_pane", "history", "explain", "help"},
		&g.Run, &g.Cancel, &g.Quit, &g.FocusCatalog, &g.FocusEditor, &g.FocusResults, &g.NextPane, &g.PrevPane, &g.History, &g.Explain, &g.Help)
	e := &m.Editor
	add("editor", []string{"up", "down", "left", "right", "word_left", "word_right", "home", "end", "page_up", "page_down", "top", "bottom", "newline", "backspace", "delete", "indent", "complete", "undo", "redo", "kill_line"},
		&e.Up, &e.Down, &e.Left, &e.Right, &e.WordLeft, &e.WordRight, &e.Home, &e.End, &e.PageUp, &e.PageDn, &e.Top, &e.Bottom, &e.Newline, &e.Backspace, &e.Del, &e.Indent, &e.Complete, &e.Undo, &e.Redo, &e.KillLine)
	r := &m.Results
	add("results", []string{"up", "down", "left", "right", "page_up", "page_down", "top", "bottom", "first", "last", "inspect", "select", "copy_cell", "copy_row", "copy_format", "export"},
		&r.Up, &r.Down, &r.Left, &r.Right, &r.PageUp, &r.PageDown, &r.Top, &r.Bottom, &r.First, &r.Last, &r.Inspect, &r.Select, &r.CopyCell, &r.CopyRow, &r.CopyFormat, &r.Export)
	c := &m.Catalog
	add("catalog", []string{"up", "down", "page_up", "page_down", "expand", "collapse", "insert", "preview", "filter", "refresh"},
		&c.Up, &c.Down, &c.PageUp, &c.PageDown, &c.Expand, &c.Collapse, &c.Insert, &c.Preview, &c.Filter, &c.Refresh)
	h := &m.History
	add("history", []string{"up", "down", "open", "load", "search", "switch"},
		&h.Up, &h.Down, &h.Open, &h.Load, &h.Search, &h.Switch)
	return out
}

// Remap applies the user's overrides, "group.name" to the keys that
// replace the binding's keys (an empty list unbinds it). A name the keymap
// does not have is an error naming it, so that a typo in the config is
// not silently ignored.
func (m *KeyMap) Remap(overrides map[string][]string) error {
	byName := map[string]*key.Binding{}
	for _, e := range m.Entries() {
		byName[e.Group+"."+e.Name] = e.Binding
	}
	names := make([]string, 0, len(overrides))
	for n := range overrides {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		bd, ok := byName[n]
		if !ok {
			return fmt.Errorf("keys: no binding %q: names are group.action, as `?` lists them (global.run, results.copy_cell, ...)", n)
		}
		ks := overrides[n]
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
