package main

import (
	"bytes"
	"context"
	"debug/buildinfo"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime/debug"
	"slices"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// commandPaths are the path of every command of the tree, as typed.
func commandPaths() ([][]string, map[string]string) {
	c := &cli{getenv: func(string) string { return "" }}
	var out [][]string
	short := map[string]string{}
	var walk func(cmd *cobra.Command, path []string)
	walk = func(cmd *cobra.Command, path []string) {
		out = append(out, path)
		short[strings.Join(path, " ")] = cmd.Short
		for _, sub := range cmd.Commands() {
			if sub.Name() == "help" || sub.Name() == "completion" {
				continue
			}
			walk(sub, append(append([]string(nil), path...), sub.Name()))
		}
	}
	walk(c.root(), nil)
	return out, short
}

// Every command's --help goes to stdout, exits 0, and has the command's
// description, its usage and examples, with long flags written with two
// dashes.
func TestHelpOfEveryCommand(t *testing.T) {
	paths, short := commandPaths()
	if len(paths) < 14 {
		t.Fatalf("got %d commands, want the root and its 13 (and policy eval, sandbox serve)", len(paths))
	}
	for _, path := range paths {
		for _, h := range []string{"--help", "-h"} {
			r := quiltq(t, context.Background(), nil, "", append(append([]string(nil), path...), h)...)
			name := strings.Join(append([]string{"quiltq"}, path...), " ")
			if r.code != exitOK || r.stderr != "" {
				t.Errorf("%s %s: exit %d, stderr %q; want 0 and nothing", name, h, r.code, r.stderr)
			}
			if sum := short[strings.Join(path, " ")]; sum == "" || !strings.HasPrefix(r.stdout, sum+".\n\n") {
				t.Errorf("%s %s: help does not start with the one-line summary %q:\n%s", name, h, sum, r.stdout)
			}
			for _, want := range []string{"Usage:\n  " + name, "Examples:\n  quiltq", "  -h, --help"} {
				if !strings.Contains(r.stdout, want) {
					t.Errorf("%s %s: stdout lacks %q:\n%s", name, h, want, r.stdout)
				}
			}
			if strings.Contains(r.stdout, "\n  -json") || strings.Contains(r.stdout, " -sandbox") {
				t.Errorf("%s %s: a long flag with one dash:\n%s", name, h, r.stdout)
			}
		}
	}
}

// role and logout list only the flags that apply to them: not where a
// query would run (-c, -d, -w) nor the grants.
func TestHelpListsOnlyFlagsThatApply(t *testing.T) {
	for _, cmd := range []string{"role", "logout"} {
		r := quiltq(t, context.Background(), nil, "", cmd, "--help")
		for _, flag := range []string{"--catalog", "--database", "--workgroup", "--grants", "--execute"} {
			if strings.Contains(r.stdout, flag) {
				t.Errorf("%s --help lists %s:\n%s", cmd, flag, r.stdout)
			}
		}
		if !strings.Contains(r.stdout, "--profile") {
			t.Errorf("%s --help lacks the global --profile:\n%s", cmd, r.stdout)
		}
	}
	if r := quiltq(t, context.Background(), nil, "", "ls", "--help"); !strings.Contains(r.stdout, "-w, --workgroup") {
		t.Errorf("ls --help lacks -w:\n%s", r.stdout)
	}
}

// Every flag the README names is a flag of some quiltq command, so that
// the README documents no flag that was renamed or removed. Lines of
// other tools (the AWS CLI, curl) are left out; "--fault-*" stands for
// the flags starting so.
func TestReadmeFlagsExist(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	flags := map[string]bool{"help": true, "version": true}
	c := &cli{getenv: func(string) string { return "" }}
	var walk func(cmd *cobra.Command)
	walk = func(cmd *cobra.Command) {
		for _, fs := range []*pflag.FlagSet{cmd.Flags(), cmd.PersistentFlags()} {
			fs.VisitAll(func(f *pflag.Flag) { flags[f.Name] = true })
		}
		for _, sub := range cmd.Commands() {
			walk(sub)
		}
	}
	walk(c.root())
	named := regexp.MustCompile(`(^|[^A-Za-z0-9-])--([a-z][a-z0-9-]*[a-z0-9])(-\*)?`)
	seen := 0
	for i, line := range strings.Split(string(readme), "\n") {
		if l := strings.TrimSpace(line); strings.HasPrefix(l, "aws ") || strings.Contains(l, "curl ") {
			continue
		}
		for _, m := range named.FindAllStringSubmatch(line, -1) {
			name, prefix := m[2], m[3] != ""
			seen++
			ok := flags[name]
			for f := range flags {
				ok = ok || prefix && strings.HasPrefix(f, name+"-")
			}
			if !ok {
				t.Errorf("README.md:%d names --%s%s, which no quiltq command has", i+1, name, m[3])
			}
		}
	}
	if seen < 50 {
		t.Errorf("found %d flags named in README.md, want the 50 or more it documents", seen)
	}
}

// Usage errors are said once, name the flag once, suggest the nearest
// command or flag and exit 2.
func TestUsageErrors(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want []string
	}{
		{"unknown command", []string{"lss"}, []string{`unknown command "lss"`, "Did you mean this?\n\tls"}},
		{"unknown flag", []string{"--limt", "3"}, []string{"unknown flag: --limt", "\t--limit"}},
		{"unknown flag of a command", []string{"ls", "--refrsh"}, []string{"quiltq ls: unknown flag: --refrsh", "\t--refresh"}},
		{"one dash long flag", []string{"whoami", "-json"}, []string{"Long flags take two dashes: --json"}},
		{"flag not of this command", []string{"role", "-w", "x"}, []string{"quiltq role: unknown shorthand flag: 'w'"}},
		{"bad value", []string{"--limit", "many"}, []string{`"many"`, "--limit"}},
		{"output format", []string{"-o", "xml", "-e", "SELECT 1"}, []string{`"xml" is not a format`}},
		{"bad subcommand", []string{"sandbox", "serv"}, []string{`unknown subcommand "serv"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := quiltq(t, context.Background(), nil, "", tt.args...)
			if r.code != exitUsage {
				t.Errorf("exit %d, want %d; stderr %q", r.code, exitUsage, r.stderr)
			}
			for _, w := range tt.want {
				if !strings.Contains(r.stderr, w) {
					t.Errorf("stderr %q lacks %q", r.stderr, w)
				}
			}
			for _, once := range []string{"flag -o: flag -o", "Error:", "Usage:"} {
				if strings.Contains(r.stderr, once) {
					t.Errorf("stderr %q has %q", r.stderr, once)
				}
			}
		})
	}
}

func TestVersionOf(t *testing.T) {
	vcs := func(kv ...string) []debug.BuildSetting {
		var out []debug.BuildSetting
		for i := 0; i < len(kv); i += 2 {
			out = append(out, debug.BuildSetting{Key: kv[i], Value: kv[i+1]})
		}
		return out
	}
	const rev = "051a7cb9cfea7d0c46ed97ed782abd238bd57e14"
	tests := []struct {
		name string
		info debug.BuildInfo
		want string
	}{
		{"nothing known", debug.BuildInfo{Main: debug.Module{Version: "(devel)"}}, "(devel)"},
		{"a module version", debug.BuildInfo{Main: debug.Module{Version: "v1.2.3"}}, "v1.2.3"},
		{"a revision", debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: vcs("vcs.revision", rev, "vcs.time", "2026-12-07T00:20:00Z", "vcs.modified", "false")},
			"051a7cb9cfea (2026-12-07T00:20:00Z)"},
		{"a pseudo-version of the revision", debug.BuildInfo{Main: debug.Module{Version: "v0.0.0-20261207002000-051a7cb9cfea+dirty"}, Settings: vcs("vcs.revision", rev, "vcs.modified", "true")},
			"051a7cb9cfea+dirty"},
		{"a tag and its revision", debug.BuildInfo{Main: debug.Module{Version: "v1.0.0"}, Settings: vcs("vcs.revision", rev, "vcs.time", "2026-12-07T00:20:00Z")},
			"v1.0.0 051a7cb9cfea (2026-12-07T00:20:00Z)"},
	}
	for _, tt := range tests {
		if got := versionOf(&tt.info); got != tt.want {
			t.Errorf("%s: got %q, want %q", tt.name, got, tt.want)
		}
	}
}

// --version prints what the binary's own build info says.
func TestVersionFromBuildInfo(t *testing.T) {
	bin := buildQuiltq(t, "")
	info, err := buildinfo.ReadFile(bin)
	if err != nil {
		t.Fatal(err)
	}
	for _, arg := range []string{"--version", "version"} {
		out, err := exec.Command(bin, arg).Output()
		if err != nil {
			t.Fatalf("%s: %v", arg, err)
		}
		if want := "quiltq " + versionOf(info) + "\n"; string(out) != want || strings.Contains(string(out), "dev\n") {
			t.Errorf("%s: got %q, want %q", arg, out, want)
		}
	}
}

// The bash completion script, sourced by bash, completes commands, flags,
// flag values and table names, the names from the listing cache alone.
func TestBashCompletion(t *testing.T) {
	bash, err := exec.LookPath("bash")
	if err != nil {
		if os.Getenv("QUILTQ_REQUIRE_TOOLS") == "1" {
			t.Fatal("bash is not installed and QUILTQ_REQUIRE_TOOLS=1")
		}
		t.Skip("bash is not installed: skipping the completion test (QUILTQ_REQUIRE_TOOLS=1 makes this fail)")
	}
	bin := buildQuiltq(t, "")
	dir := t.TempDir()
	env := map[string]string{"HOME": dir, "XDG_CONFIG_HOME": filepath.Join(dir, "config"), "XDG_CACHE_HOME": filepath.Join(dir, "cache")}
	// The listing cache, as `quiltq ls` leaves it.
	if r := quiltq(t, context.Background(), env, "", "--sandbox", "--sandbox-user", "admin", "ls", "--json"); r.code != exitOK {
		t.Fatalf("ls: exit %d, %s", r.code, r.stderr)
	}
	script := filepath.Join(dir, "complete.bash")
	var gen bytes.Buffer
	if code := run(context.Background(), []string{"completion", "bash"}, streams{Out: &gen, Err: &gen}, func(string) string { return "" }); code != exitOK {
		t.Fatalf("completion bash: exit %d: %s", code, gen.String())
	}
	// The script needs bash-completion's _get_comp_words_by_ref; where that
	// package is not installed, a minimal one stands in.
	harness := `
if [ -r /usr/share/bash-completion/bash_completion ]; then . /usr/share/bash-completion/bash_completion; fi
if ! declare -F _get_comp_words_by_ref >/dev/null; then
  _get_comp_words_by_ref() { cur=${COMP_WORDS[COMP_CWORD]}; prev=${COMP_WORDS[COMP_CWORD-1]}; words=("${COMP_WORDS[@]}"); cword=$COMP_CWORD; }
fi
compopt() { :; }
. ` + script + `
c() { COMP_WORDS=("$@"); COMP_CWORD=$((${#COMP_WORDS[@]}-1)); COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}; COMPREPLY=(); __start_quiltq; printf '%s\n' "${COMPREPLY[@]}"; }
c "$@"
`
	if err := os.WriteFile(script, gen.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	complete := func(words ...string) []string {
		t.Helper()
		cmd := exec.Command(bash, append([]string{"-c", harness, "bash", bin}, words...)...)
		// Nothing in the environment to log in with: completion needs none.
		cmd.Env = []string{"PATH=" + os.Getenv("PATH")}
		for k, v := range env {
			cmd.Env = append(cmd.Env, k+"="+v)
		}
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("completing %q: %v", words, err)
		}
		return strings.Fields(string(out))
	}
	tests := []struct {
		words []string
		want  []string
		not   []string
	}{
		{[]string{"desc"}, []string{"describe"}, nil},
		{[]string{"ls", "--re"}, []string{"--refresh"}, nil},
		{[]string{"-o", ""}, []string{"csv", "jsonl", "markdown"}, nil},
		{[]string{"completion", ""}, []string{"bash", "zsh", "fish", "powershell"}, nil},
		{[]string{"--sandbox", "--syntax-errors", ""}, []string{"start", "run"}, nil},
		{[]string{"--sandbox", "describe", "sales.ord"}, []string{"sales.orders", "sales.order_totals"}, []string{"sales.events"}},
		{[]string{"--sandbox", "ls", "AwsDataCatalog.s"}, []string{"AwsDataCatalog.sales"}, nil},
		{[]string{"--sandbox", "ls", "-c", ""}, []string{"AwsDataCatalog", "quilt-sales-prod-tabulator"}, nil},
		// No listing cached for a catalog never listed: nothing to offer.
		{[]string{"describe", "sales."}, nil, []string{"sales.orders"}},
	}
	for _, tt := range tests {
		got := complete(tt.words...)
		for _, w := range tt.want {
			if !slices.Contains(got, w) {
				t.Errorf("completing %q: got %q, want %q among them", tt.words, got, w)
			}
		}
		for _, w := range tt.not {
			if slices.Contains(got, w) {
				t.Errorf("completing %q: got %q, want no %q", tt.words, got, w)
			}
		}
	}
	// The names come from the cache: without it there are none.
	if err := os.RemoveAll(filepath.Join(dir, "cache")); err != nil {
		t.Fatal(err)
	}
	if got := complete("--sandbox", "describe", "sales.ord"); len(got) != 0 {
		t.Errorf("with no cache, completing a table: got %q, want nothing", got)
	}
}

// BenchmarkVersion is the work of `quiltq -v` (--version through the
// whole tree; --version alone takes a shorter path) inside the process:
// the command tree built and parsed, the build info read.
func BenchmarkVersion(b *testing.B) {
	st := streams{Out: io.Discard, Err: io.Discard}
	for b.Loop() {
		if code := run(context.Background(), []string{"-v"}, st, func(string) string { return "" }); code != exitOK {
			b.Fatal(code)
		}
	}
}
