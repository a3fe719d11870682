package keys

import (
	"charm.land/bubbles/v2/key"
)

// Pane names the pane whose keys the footer shows.
type Pane int

// The panes, and the help screen.
const (
	PaneEditor Pane = iota
	PaneResults
	PaneCatalog
	PaneExplain // the explanation with a statement to copy and apply
	PaneHistory
	PaneHelp
	// The explanation panel without a statement to copy or apply: a
	// refusal or failure (its text is copied), nothing to explain, or
	// the catalog tree's refusals listed to pick from.
	PaneExplainRefusal
	PaneExplainEmpty
	PaneExplainPick
	// A refusal of the catalog tree opened over the query's refusal or
	// the list of the tree's: the cancel key goes back there, not out of
	// the panel (with a statement, and without).
	PaneExplainBack
	PaneExplainRefusalBack
)

// labelled is a binding of the keymap with the short label the footer
// gives it.
type labelled struct {
	b     *key.Binding
	label string
}

// Footer is the focused pane's most useful keys, then the ones that move
// between panes, as the footer line shows them: each binding of the
// keymap with a short label and one of its keys (remapped keys
// show remapped; an unbound binding is left out). While a query runs,
// the cancel key comes first. bubbles/help's ShortHelpView renders them.
func (m *KeyMap) Footer(p Pane, running bool) []key.Binding {
	g := &m.Global
	var ls []labelled
	if running {
		ls = append(ls, labelled{&g.Cancel, "cancel"})
	}
	switch p {
	case PaneEditor:
		ls = append(ls, labelled{&g.Run, "run"}, labelled{&g.RunAll, "run all"}, labelled{&m.Editor.Complete, "complete"},
			labelled{&g.FocusCatalog, "catalog"}, labelled{&g.FocusResults, "results"}, labelled{&g.History, "history"})
	case PaneResults:
		r := &m.Results
		ls = append(ls, labelled{&r.CopyCell, "copy"}, labelled{&r.CopyRow, "copy row"}, labelled{&r.Inspect, "inspect"},
			labelled{&r.Select, "select"}, labelled{&r.CopyFormat, "format"}, labelled{&r.Export, "export"},
			labelled{&g.FocusEditor, "editor"}, labelled{&g.NextPane, "next pane"})
	case PaneCatalog:
		c := &m.Catalog
		ls = append(ls, labelled{&c.Insert, "insert / explain ✗"}, labelled{&c.Preview, "preview"}, labelled{&c.Expand, "open"},
			labelled{&c.Filter, "filter"}, labelled{&c.Doctor, "doctor"}, labelled{&c.Wider, "wider"}, labelled{&c.Narrower, "narrower"},
			labelled{&g.NextPane, "next pane"})
	case PaneExplain, PaneExplainBack:
		ls = append(ls, labelled{&m.Results.CopyCell, "copy statement"}, labelled{&m.Explain.Apply, "apply (sandbox)"},
			labelled{&m.Explain.Doctor, "doctor"}, labelled{&g.Cancel, closeOrBack(p)})
	case PaneExplainRefusal, PaneExplainRefusalBack:
		ls = append(ls, labelled{&m.Results.CopyCell, "copy refusal"}, labelled{&m.Explain.Doctor, "doctor"}, labelled{&g.Cancel, closeOrBack(p)})
	case PaneExplainEmpty:
		ls = append(ls, labelled{&m.Explain.Doctor, "doctor"}, labelled{&g.Cancel, "close"})
	case PaneExplainPick:
		ls = append(ls, labelled{&m.Explain.Open, "explain"}, labelled{&m.Explain.Doctor, "doctor"}, labelled{&g.Cancel, "close"})
	case PaneHistory:
		h := &m.History
		ls = append(ls, labelled{&h.Open, "open"}, labelled{&h.Load, "load SQL"}, labelled{&h.Switch, "switch list"},
			labelled{&g.History, "close"})
	case PaneHelp:
		ls = append(ls, labelled{&m.Help.Down, "scroll"}, labelled{&m.Help.PageDown, "page"}, labelled{&g.Help, "close"})
		return short(ls)
	}
	ls = append(ls, labelled{&g.Help, "all keys"}, labelled{&g.Quit, "quit"})
	if p == PaneEditor {
		// Last: shown where the line is wide enough (help lists it).
		ls = append(ls, labelled{&g.Reuse, "reuse on/off"})
	}
	return short(ls)
}

// closeOrBack is what the cancel key does in the explanation pane p.
func closeOrBack(p Pane) string {
	if p == PaneExplainBack || p == PaneExplainRefusalBack {
		return "back"
	}
	return "close"
}

// unreliable reports whether k is a chord many terminals do not deliver:
// the footer names another key of the binding when it has one (help
// lists them all).
func unreliable(k string) bool { return k == "ctrl+enter" || k == "ctrl+space" }

// short turns each labelled binding into one whose help is one of its
// keys (the first that every terminal delivers) and its label.
func short(ls []labelled) []key.Binding {
	out := make([]key.Binding, 0, len(ls))
	for _, l := range ls {
		ks := l.b.Keys()
		if !l.b.Enabled() || len(ks) == 0 {
			continue
		}
		shown := ks[0]
		for _, k := range ks {
			if !unreliable(k) {
				shown = k
				break
			}
		}
		out = append(out, key.NewBinding(key.WithKeys(ks...), key.WithHelp(shown, l.label)))
	}
	return out
}
