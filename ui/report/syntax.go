package report

import (
	"fmt"
	"io"
	"strings"

	"github.com/quiltq/quiltq/engine"
)

// SyntaxPosition shows the line of sql that Athena could not parse,
// with a caret under the column it named (columns count characters).
func SyntaxPosition(w io.Writer, sql string, se *engine.SyntaxError) {
	lines := strings.Split(sql, "\n")
	if se.Line > len(lines) {
		return
	}
	line := []rune(strings.TrimRight(lines[se.Line-1], "\r"))
	if se.Column > len(line)+1 {
		return
	}
	pad := make([]rune, se.Column-1)
	for i := range pad {
		pad[i] = ' '
		if line[i] == '\t' {
			pad[i] = '\t'
		}
	}
	fmt.Fprintf(w, "  at:        line %d, column %d\n             %s\n             %s^\n", se.Line, se.Column, string(line), string(pad))
}
