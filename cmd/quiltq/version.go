package main

import (
	"runtime/debug"
	"strings"
)

// versionString is quiltq's version from the build info: the module
// version when it was built as a module (go install ...@v1.2.3), else the
// VCS revision and time the go command stamped, with "+dirty" for a
// tree with changes; "(devel)" when neither is known (go run, tests).
func versionString() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "(devel)"
	}
	return versionOf(info)
}

// versionOf is versionString over info.
func versionOf(info *debug.BuildInfo) string {
	var rev, at string
	dirty := false
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.time":
			at = s.Value
		case "vcs.modified":
			dirty = s.Value == "true"
		}
	}
	v := info.Main.Version
	if rev == "" {
		if v == "" {
			return "(devel)"
		}
		return v
	}
	short := rev[:min(12, len(rev))]
	if dirty {
		short += "+dirty"
	}
	if at != "" {
		short += " (" + at + ")"
	}
	// A version the go command derived from the revision (a pseudo-version
	// ending in it) says nothing the revision does not.
	if v == "" || v == "(devel)" || strings.Contains(v, rev[:min(12, len(rev))]) {
		return short
	}
	return v + " " + short
}
