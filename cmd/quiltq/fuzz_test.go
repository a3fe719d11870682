package main

import (
	"bytes"
	"context"
	"slices"
	"strings"
	"testing"
)

// FuzzCommandLine feeds the command tree arbitrary arguments, with its
// context already ended (so that nothing waits: no sandbox serves, no
// login prompts) and no login: whatever the words, quiltq ends with one of
// its exit codes, never panics, and writes no raw control character on
// stderr.
func FuzzCommandLine(f *testing.F) {
	for _, seed := range []string{
		"--help", "ls --json --max-age -1s", "-e SELECT\x1b[2J1", "check --offline SELECT", "lss", "--limt 3",
		"policy eval --policy x --action a --resource *", "sandbox serve --fault-cut NaN", "whoami -json",
		"explain --sql", "completion bash", "__complete describe sa", "config -P", "-o xml -e 1", "describe a.b.c.d",
	} {
		f.Add(seed)
	}
	codes := []int{exitOK, exitFailed, exitUsage, exitDenied, exitCredentials, exitInterrupted}
	f.Fuzz(func(t *testing.T, line string) {
		args := strings.Fields(line)
		for _, a := range args {
			// --sandbox starts a whole stack per input: too slow to fuzz.
			if strings.Contains(a, "sandbox") && !strings.HasPrefix(a, "sandbox") {
				t.Skip()
			}
		}
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		dir := t.TempDir()
		env := map[string]string{"XDG_CONFIG_HOME": dir, "XDG_CACHE_HOME": dir, "HOME": dir}
		var out, errb bytes.Buffer
		code := run(ctx, args, streams{In: strings.NewReader("SELECT 1"), Out: &out, Err: &errb}, func(k string) string { return env[k] })
		if !slices.Contains(codes, code) {
			t.Errorf("%q: exit %d, not one of quiltq's", args, code)
		}
		if strings.ContainsAny(errb.String(), "\x1b\x07\u009b") {
			t.Errorf("%q: a raw control character on stderr: %q", args, errb.String())
		}
	})
}
