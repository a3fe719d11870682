package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/quiltq/quiltq/engine"
	"github.com/quiltq/quiltq/engine/explain"
	"github.com/quiltq/quiltq/ui/print"
	"github.com/quiltq/quiltq/ui/report"
)

// explainFlags are the flags of explain, with and without --sql.
type explainFlags struct {
	json bool
	sql  string
	ctx  explain.Context
}

// runExplain runs `quiltq explain [--json] [FILE | -]`: it reads an AWS
// error text pasted from anywhere and says what it means, who can fix it
// and, for a refusal an identity statement fixes, the statement.
func runExplain(ctx context.Context, g *globalFlags, ef explainFlags, pos []string, st streams) int {
	if len(pos) > 1 {
		fmt.Fprintf(st.Err, "quiltq explain: give one FILE (or '-' for stdin), not %d; quote the text in a file or pipe it in\n", len(pos))
		return exitUsage
	}
	ectx := ef.ctx
	ectx.Workgroup = g.workgroup
	if ectx.DataCatalog == "" {
		ectx.DataCatalog = g.catalog
	}
	path := ""
	if len(pos) == 1 {
		path = pos[0]
	}
	text, err := readExplainInput(ctx, path, st)
	if engine.KindOf(err) == engine.Canceled {
		return interrupted(st, "explain")
	}
	if err != nil {
		fmt.Fprintf(st.Err, "quiltq explain: %v\n", err)
		return exitUsage
	}
	if strings.TrimSpace(text) == "" {
		fmt.Fprintln(st.Err, "quiltq explain: no text to explain; paste the error on stdin or give a FILE holding it")
		return exitUsage
	}

	d := explain.Parse(text)
	rem := d.Remedy()
	fix := explain.FixDenial(d, ectx)
	if ctx.Err() != nil {
		return interrupted(st, "explain")
	}
	code := exitOK
	if !report.Recognized(d) {
		code = exitFailed
	}
	if ef.json {
		if err := print.JSONLine(st.Out, report.PastedJSON(d, fix)); err != nil {
			fmt.Fprintf(st.Err, "quiltq explain: %v\n", err)
			return exitFailed
		}
		return code
	}
	report.Pasted(st.Out, d, rem, fix)
	return code
}

// readExplainInput reads the text from path, or stdin for "" and "-".
func readExplainInput(ctx context.Context, path string, st streams) (string, error) {
	if path != "" && path != "-" {
		b, err := engine.ReadFileLimitedContext(ctx, path, engine.ErrorTextLimit())
		if engine.KindOf(err) == engine.Canceled {
			return "", err
		}
		if err != nil {
			return "", fmt.Errorf("%v; give a readable FILE, or pipe the text on stdin", err)
		}
		return string(b), nil
	}
	if path == "" && st.InTTY {
		return "", fmt.Errorf("no text: give a FILE, or pipe the error text in (for example: pbpaste | quiltq explain)")
	}
	if st.In == nil {
		return "", nil
	}
	b, err := engine.ReadLimitedContext(ctx, st.In, "stdin", engine.ErrorTextLimit())
	return string(b), err
}
