package mcpserver

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/tools.golden")

// toolShape is what an agent's prompts and a client's configuration rely
// on: a tool's name, its inputs (required ones marked) and the top-level
// fields of its output.
type toolShape struct {
	Name     string   `json:"name"`
	Required []string `json:"required"`
	Inputs   []string `json:"inputs"`
	Outputs  []string `json:"outputs"`
}

// TestToolsGolden keeps the tools' names and schemas stable: a change
// shows in testdata/tools.golden (go test -run TestToolsGolden -update).
func TestToolsGolden(t *testing.T) {
	f := start(t, "admin", setup{})
	var shapes []toolShape
	for tool, err := range f.client.Tools(context.Background(), nil) {
		if err != nil {
			t.Fatal(err)
		}
		shapes = append(shapes, toolShape{Name: tool.Name, Required: schemaKeys(t, tool.InputSchema, true), Inputs: schemaKeys(t, tool.InputSchema, false), Outputs: schemaKeys(t, tool.OutputSchema, false)})
	}
	slices.SortFunc(shapes, func(a, b toolShape) int { return strings.Compare(a.Name, b.Name) })
	got, err := json.MarshalIndent(shapes, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, '\n')
	path := filepath.Join("testdata", "tools.golden")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to write it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("the tools' shapes changed:\n%s\nwant:\n%s\n(if meant, run go test -run TestToolsGolden -update)", got, want)
	}
}

// schemaKeys are a schema's property names (sorted), or its required ones.
func schemaKeys(t *testing.T, schema any, required bool) []string {
	t.Helper()
	b, err := json.Marshal(schema)
	if err != nil {
		t.Fatal(err)
	}
	var s struct {
		Required   []string       `json:"required"`
		Properties map[string]any `json:"properties"`
	}
	if err := json.Unmarshal(b, &s); err != nil {
		t.Fatal(err)
	}
	if required {
		slices.Sort(s.Required)
		return append([]string{}, s.Required...)
	}
	keys := []string{}
	for k := range s.Properties {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
