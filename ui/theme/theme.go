// Package theme holds the workbench's styles: one Theme, built once at
// start-up for a light or a dark terminal (or without any colour when
// NO_COLOR is set), and handed to every pane.
package theme

import (
	"image/color"

	"charm.land/lipgloss/v2"
)

// Options choose a theme.
type Options struct {
	// Dark is true on a dark terminal background.
	Dark bool
	// NoColor drops every colour (https://no-color.org), keeping only
	// bold, reverse and faint, so that the cursor and the focus still show.
	NoColor bool
}

// Theme is every style the panes use.
type Theme struct {
	NoColor bool

	Pane, FocusedPane lipgloss.Style // pane borders
	Title, Muted      lipgloss.Style
	Error, Warning    lipgloss.Style
	OK                lipgloss.Style

	// SQL highlighting.
	Keyword, Ident, String, Number, Comment, Operator lipgloss.Style
	LineNumber, CursorLine                            lipgloss.Style
	Popup, PopupSelected                              lipgloss.Style

	// Grid.
	Header, Cell, Null, CursorCell, CursorRow, Selected lipgloss.Style

	// Tree.
	TreeCursor, Refused lipgloss.Style

	// Status line.
	Status, StatusKey lipgloss.Style
}

// New builds the theme o describes.
func New(o Options) Theme {
	pick := func(light, dark string) color.Color {
		if o.NoColor {
			return nil
		}
		if o.Dark {
			return lipgloss.Color(dark)
		}
		return lipgloss.Color(light)
	}
	fg := func(light, dark string) lipgloss.Style {
		s := lipgloss.NewStyle()
		if c := pick(light, dark); c != nil {
			s = s.Foreground(c)
		}
		return s
	}
	bg := func(s lipgloss.Style, light, dark string) lipgloss.Style {
		if c := pick(light, dark); c != nil {
			return s.Background(c)
		}
		return s.Reverse(true)
	}
	border := lipgloss.NewStyle().Border(lipgloss.RoundedBorder())
	t := Theme{
		NoColor:     o.NoColor,
		Pane:        border.BorderForeground(orDefault(pick("#b0b0b0", "#555555"))),
		FocusedPane: border.BorderForeground(orDefault(pick("#1f6feb", "#58a6ff"))),
		Title:       fg("#1f6feb", "#58a6ff").Bold(true),
		Muted:       fg("#6e7781", "#8b949e"),
		Error:       fg("#cf222e", "#ff7b72").Bold(true),
		Warning:     fg("#9a6700", "#d29922"),
		OK:          fg("#1a7f37", "#3fb950"),

		Keyword:    fg("#8250df", "#d2a8ff").Bold(true),
		Ident:      fg("#24292f", "#c9d1d9"),
		String:     fg("#0a3069", "#a5d6ff"),
		Number:     fg("#0550ae", "#79c0ff"),
		Comment:    fg("#6e7781", "#8b949e").Italic(true),
		Operator:   fg("#cf222e", "#ff7b72"),
		LineNumber: fg("#8c959f", "#484f58"),
		CursorLine: lipgloss.NewStyle(),
		Popup:      bg(fg("#24292f", "#c9d1d9"), "#eaeef2", "#30363d"),

		Header:     fg("#1f6feb", "#58a6ff").Bold(true).Underline(true),
		Cell:       lipgloss.NewStyle(),
		Null:       fg("#8c959f", "#6e7681").Italic(true).Faint(true),
		CursorCell: bg(lipgloss.NewStyle().Bold(true), "#b6e3ff", "#1f6feb"),
		CursorRow:  bg(lipgloss.NewStyle(), "#f6f8fa", "#161b22"),
		Selected:   bg(lipgloss.NewStyle(), "#ddf4ff", "#0d419d"),

		TreeCursor: bg(lipgloss.NewStyle().Bold(true), "#b6e3ff", "#1f6feb"),
		Refused:    fg("#cf222e", "#ff7b72"),

		Status:    bg(fg("#24292f", "#c9d1d9"), "#eaeef2", "#21262d"),
		StatusKey: fg("#1f6feb", "#58a6ff").Bold(true),
	}
	t.PopupSelected = bg(lipgloss.NewStyle().Bold(true), "#b6e3ff", "#1f6feb")
	if o.NoColor {
		// Without colours the cursor and the popup stand out by reverse video.
		t.CursorCell = lipgloss.NewStyle().Reverse(true).Bold(true)
		t.TreeCursor = lipgloss.NewStyle().Reverse(true)
		t.PopupSelected = lipgloss.NewStyle().Reverse(true).Bold(true)
		t.Popup = lipgloss.NewStyle()
		t.CursorRow = lipgloss.NewStyle().Underline(true)
		t.Selected = lipgloss.NewStyle().Underline(true)
		t.Status = lipgloss.NewStyle().Reverse(true)
		t.FocusedPane = border.BorderStyle(lipgloss.ThickBorder())
	}
	return t
}

func orDefault(c color.Color) color.Color {
	if c == nil {
		return lipgloss.NoColor{}
	}
	return c
}
