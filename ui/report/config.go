package report

import (
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/quiltq/quiltq/config"
)

// Config writes `quiltq config`: the profile and where it was chosen, the
// config file, and each effective setting with where it came from. No
// setting is a secret, so everything is written.
func Config(w io.Writer, s *config.Settings) error {
	file := s.Path
	switch {
	case file == "":
		file = "(none: set HOME or XDG_CONFIG_HOME)"
	case !s.FileFound:
		file += " (not found: defaults apply)"
	}
	// Two tables, so that the long path does not widen the settings' columns.
	head := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(head, "profile\t%s (%s)\n", s.Profile, s.ProfileSource)
	fmt.Fprintf(head, "config file\t%s\n", file)
	if err := head.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, v := range s.All() {
		val := v.Value
		if val == "" {
			val = "(unset)"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\n", v.Name, val, v.Source)
	}
	return tw.Flush()
}

// ConfigJSON is `quiltq config --json`: the profile, the config file's
// path and every effective setting with its source.
type ConfigJSON struct {
	Profile  string           `json:"profile"`
	Path     string           `json:"path"`
	Settings []config.Setting `json:"settings"`
}

// ConfigJSONOf is s as `quiltq config --json` writes it.
func ConfigJSONOf(s *config.Settings) ConfigJSON {
	return ConfigJSON{Profile: s.Profile, Path: s.Path, Settings: s.All()}
}
