package ui

import (
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/quiltq/quiltq/ui/keys"
	"github.com/quiltq/quiltq/ui/status"
	"github.com/quiltq/quiltq/ui/theme"
)

func BenchmarkZZRootKeystroke(b *testing.B) {
	m := New(Config{Engine: fakeEngine{}, Keys: keys.Default(), Theme: theme.New(theme.Options{Dark: true}),
		Identity: status.Identity{User: "u", Catalog: "AwsDataCatalog"}, SQL: strings.Repeat("SELECT 1 AS x FROM t\n", 20)})
	mm, _ := m.Update(tea.WindowSizeMsg{Width: 120, Height: 35})
	m = mm.(Model)
	keys := []tea.KeyPressMsg{{Code: 'x', Text: "x"}, {Code: tea.KeyBackspace}}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		mm, _ = m.Update(keys[i%2])
		m = mm.(Model)
		if m.View().Content == "" {
			b.Fatal("empty view")
		}
	}
}
