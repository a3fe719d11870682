package main

import (
	"context"
	"encoding/json"
	"fmt"
	"text/tabwriter"

	"github.com/quiltq/quiltq/config"
)

// runConfig is `quiltq config`: it prints the effective settings of a
// profile and where each came from, so that a user can see why quiltq
// talks to the catalog or workgroup it does. A bad config file exits 2
// with the error. No setting is a secret, so everything is printed.
func runConfig(_ context.Context, g *globalFlags, asJSON bool, st streams, getenv func(string) string) int {
	s, err := config.Load(getenv, g.profile)
	if err != nil {
		fmt.Fprintf(st.Err, "quiltq config: %v\n", err)
		return exitUsage
	}
	// The [keys] table is checked as the workbench checks it, so that a
	// remapping it would refuse is not passed as fine here.
	if _, err := newApp(g, st, getenv).look(s); err != nil {
		fmt.Fprintf(st.Err, "quiltq config: %v\n", err)
		return exitUsage
	}
	if asJSON {
		return printConfigJSON(st, s)
	}
	return printConfigText(st, s)
}

func printConfigJSON(st streams, s *config.Settings) int {
	out := struct {
		Profile  string           `json:"profile"`
		Path     string           `json:"path"`
		Settings []config.Setting `json:"settings"`
	}{s.Profile, s.Path, s.All()}
	enc := json.NewEncoder(st.Out)
	enc.SetIndent("", "  ")
	if err := enc.Encode(out); err != nil {
		fmt.Fprintf(st.Err, "quiltq config: %v\n", err)
		return exitFailed
	}
	return exitOK
}

func printConfigText(st streams, s *config.Settings) int {
	file := s.Path
	switch {
	case file == "":
		file = "(none: set HOME or XDG_CONFIG_HOME)"
	case !s.FileFound:
		file += " (not found: defaults apply)"
	}
	// Two tables, so that the long path does not widen the settings' columns.
	head := tabwriter.NewWriter(st.Out, 0, 0, 2, ' ', 0)
	fmt.Fprintf(head, "profile\t%s (%s)\n", s.Profile, s.ProfileSource)
	fmt.Fprintf(head, "config file\t%s\n", file)
	err := head.Flush()
	fmt.Fprintln(st.Out)
	tw := tabwriter.NewWriter(st.Out, 0, 0, 2, ' ', 0)
	for _, v := range s.All() {
		val := v.Value
		if val == "" {
			val = "(unset)"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\n", v.Name, val, v.Source)
	}
	if err == nil {
		err = tw.Flush()
	}
	if err != nil {
		fmt.Fprintf(st.Err, "quiltq config: %v\n", err)
		return exitFailed
	}
	return exitOK
}
