package explain

import (
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// The real corpus: error texts collected from public sources (issue
// threads, AWS documentation, re:Post), each with its source and the
// reading quiltq should give it. See testdata/real/refusals.yaml and
// PERMISSIONS.md. Every fifth entry (index 4, 9, 14, ...) is held out: it
// was not looked at while the parser was tuned, and the score reports it
// apart.

type realCorpus struct {
	Entries []realEntry `yaml:"entries"`
}

type realEntry struct {
	Source string   `yaml:"source"`
	Note   string   `yaml:"note"`
	Text   string   `yaml:"text"`
	Want   realWant `yaml:"want"`
	// Fresh marks the entries collected, and their readings written,
	// after the parser was changed for this corpus: they were read by it
	// only once labelled, and the score reports them apart.
	Fresh bool `yaml:"fresh"`
	// KnownMiss says why the parser does not read this entry right yet;
	// the test fails when such an entry starts being read right, so that
	// the mark is removed.
	KnownMiss string `yaml:"known_miss"`
}

type realWant struct {
	Kind           string    `yaml:"kind"`
	Service        *string   `yaml:"service"`
	Actions        []string  `yaml:"actions"`
	ImpliedActions []string  `yaml:"implied_actions"`
	Principal      string    `yaml:"principal"`
	Resources      *[]string `yaml:"resources"`
	PolicyType     string    `yaml:"policy_type"`
	ExplicitDeny   any       `yaml:"explicit_deny"`
	Encoded        *bool     `yaml:"encoded"`
}

func loadRealCorpus(t testing.TB) []realEntry {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "real", "refusals.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var c realCorpus
	if err := yaml.Unmarshal(b, &c); err != nil {
		t.Fatalf("testdata/real/refusals.yaml: %v", err)
	}
	for i, e := range c.Entries {
		if e.Source == "" || e.Text == "" || e.Want.Kind == "" {
			t.Fatalf("entry %d: source, text and want.kind are required", i)
		}
		if u, err := url.Parse(e.Source); err != nil || u.Scheme != "https" {
			t.Fatalf("entry %d: source %q is not an https URL", i, e.Source)
		}
	}
	return c.Entries
}

// heldOut reports whether entry i was held out from development.
func heldOut(i int) bool { return i%5 == 4 }

// corpusKind words a Denial in the corpus's kinds.
func corpusKind(d Denial) string {
	switch d.Category {
	case CategoryPermission:
		return "denial"
	case CategoryConfig:
		if d.MaybeDenied {
			return "possible_denial"
		}
		return "configuration"
	case CategoryThrottling, CategoryCredentials, CategoryNotFound:
		return d.Category
	}
	return "other"
}

// mismatches lists the fields of d that differ from w, as "field: got X,
// want Y"; none means the entry is read fully right.
func (w realWant) mismatches(d Denial) []string {
	var out []string
	diff := func(field string, got, want any) {
		if fmt.Sprint(got) != fmt.Sprint(want) {
			out = append(out, fmt.Sprintf("%s: got %v, want %v", field, got, want))
		}
	}
	diff("kind", corpusKind(d), w.Kind)
	if w.Service != nil {
		diff("service", d.Service, *w.Service)
	}
	diff("actions", sorted(d.Actions), sorted(w.Actions))
	diff("implied_actions", sorted(d.ImpliedActions), sorted(w.ImpliedActions))
	diff("principal", d.Principal, w.Principal)
	if w.Resources != nil {
		diff("resources", sorted(d.Resources), sorted(*w.Resources))
	}
	if w.Kind == "denial" {
		diff("policy_type", d.PolicyType, w.PolicyType)
		deny := "unknown"
		if d.DenyStated {
			deny = strconv.FormatBool(d.ExplicitDeny)
		}
		want := fmt.Sprint(w.ExplicitDeny)
		if w.ExplicitDeny == nil {
			want = "unknown"
		}
		diff("explicit_deny", deny, want)
	}
	if w.Encoded != nil {
		diff("encoded", d.Encoded != "", *w.Encoded)
	}
	return out
}

func sorted(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return s
}

// TestRealCorpus reads every real text and checks the reading field by
// field, and the invariants on the text cut every 13 characters, from
// the start and from the end.
func TestRealCorpus(t *testing.T) {
	for i, e := range loadRealCorpus(t) {
		t.Run(fmt.Sprintf("%03d", i), func(t *testing.T) {
			d := Parse(e.Text)
			checkInvariants(t, e.Text, d)
			got := e.Want.mismatches(d)
			switch {
			case e.KnownMiss == "" && len(got) > 0:
				t.Errorf("%s\n%q\n%s", e.Source, e.Text, strings.Join(got, "\n"))
			case e.KnownMiss != "" && len(got) == 0:
				t.Errorf("%s is now read right: remove its known_miss (%s)", e.Source, e.KnownMiss)
			case e.KnownMiss != "":
				t.Logf("known miss (%s): %s", e.KnownMiss, strings.Join(got, "; "))
			}
			// Cut at the start and at the end: texts arrive both ways.
			// Parse is single-threaded, so the race detector learns
			// nothing from many cuts; it gets a few.
			stride := 13
			if raceEnabled {
				stride = max(13, len(e.Text)/3)
			}
			for n := 0; n <= len(e.Text); n += stride {
				checkInvariants(t, e.Text[:n], Parse(e.Text[:n]))
				checkInvariants(t, e.Text[n:], Parse(e.Text[n:]))
			}
		})
	}
}

// TestRealCorpusScore reports how many texts the parser reads fully right,
// on the texts used in development and on those held out, and asserts that
// no look-alike is called a denial. Run it with
//
//	go test ./engine/explain -run TestRealCorpusScore -v
func TestRealCorpusScore(t *testing.T) {
	entries := loadRealCorpus(t)
	sources := map[string]bool{}
	var dev, devRight, held, heldRight, fresh, freshRight, lookAlikes, lookAlikesDenied int
	for i, e := range entries {
		sources[e.Source] = true
		d := Parse(e.Text)
		right := len(e.Want.mismatches(d)) == 0
		if e.Fresh {
			fresh++
			if right {
				freshRight++
			}
		}
		if heldOut(i) {
			held++
			if right {
				heldRight++
			}
		} else {
			dev++
			if right {
				devRight++
			}
		}
		if e.Want.Kind != "denial" && e.Want.Kind != "possible_denial" {
			lookAlikes++
			if d.Denied {
				lookAlikesDenied++
				t.Errorf("look-alike called a denial: %s %q", e.Source, e.Text)
			}
		}
	}
	pct := func(a, b int) float64 { return 100 * float64(a) / float64(max(b, 1)) }
	t.Logf("%d texts from %d sources", len(entries), len(sources))
	t.Logf("read fully right: %d of %d (%.1f%%)", devRight+heldRight, len(entries), pct(devRight+heldRight, len(entries)))
	t.Logf("  development: %d of %d (%.1f%%)", devRight, dev, pct(devRight, dev))
	t.Logf("  held out:    %d of %d (%.1f%%)", heldRight, held, pct(heldRight, held))
	t.Logf("  fresh:       %d of %d (%.1f%%)", freshRight, fresh, pct(freshRight, fresh))
	t.Logf("look-alikes (not refusals): %d, called a denial: %d", lookAlikes, lookAlikesDenied)
	if len(entries) < 250 {
		t.Errorf("the corpus has %d texts; the issue asks for at least 250", len(entries))
	}
}

// TestRealCorpusFuzzSeeds keeps every real text in the fuzz corpus, as
// testdata/fuzz/FuzzParse/real_NNN. Regenerate with
// go test -run TestRealCorpusFuzzSeeds -update.
func TestRealCorpusFuzzSeeds(t *testing.T) {
	dir := filepath.Join("testdata", "fuzz", "FuzzParse")
	for i, e := range loadRealCorpus(t) {
		path := filepath.Join(dir, fmt.Sprintf("real_%03d", i))
		want := "go test fuzz v1\nstring(" + strconv.Quote(e.Text) + ")\n"
		if *update {
			if err := os.WriteFile(path, []byte(want), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		got, err := os.ReadFile(path)
		if err != nil || string(got) != want {
			t.Errorf("corpus file %s is missing or differs from entry %d (run go test -run TestRealCorpusFuzzSeeds -update)", path, i)
		}
	}
}
