// Package config reads quiltq's settings: named profiles in a TOML file
// under the XDG config directory, overridden by the environment and then
// by flags. Every effective setting carries its source, so that `quiltq
// config` can say where a value came from.
//
// The file looks like this:
//
//	default_profile = "prod"
//
//	[profiles.prod]
//	catalog_url  = "https://catalog.example.com"
//	region       = "us-east-1"      # overrides the catalog's region
//	workgroup    = "primary"
//	catalog      = "AwsDataCatalog" # the default data catalog
//	database     = "default"
//	output       = "table"          # table, csv, tsv, json, jsonl or markdown
//	price_per_tb = 5.0              # USD per TB scanned, for cost estimates
//	aws_profile  = "analytics"      # plain AWS credentials instead of a Quilt login
//	keyring_timeout  = "3s"         # time-box of each OS keyring call
//	insecure_storage = false        # true: keep logins in a plain 0600 file, not the keyring
//	max_scan     = "10GB"           # stop a query that scans more (see guards.go)
//	reuse        = "1h"             # Athena may answer with a stored result this young
//	read_only    = true             # refuse every write before sending
//
// The workbench (the TUI) reads three more top-level entries, which no
// profile overrides:
//
//	theme = "light"                 # or "dark" (the default); QUILTQ_THEME overrides it
//	mouse = true                    # clicks and the wheel in the workbench (default false)
//
//	[keys]                          # the workbench's keys, as its help (?) names them
//	"global.run"     = ["f9", "ctrl+r"]
//	"results.export" = []           # unbound
//
// An unknown key is an error, so that a typo is never silently ignored.
// No setting is a secret: tokens live elsewhere.
package config

import (
	"errors"
	"fmt"
	"io/fs"
	"math"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/BurntSushi/toml"
	"github.com/agnivade/levenshtein"
)

// Setting is one effective setting: its value and where that came from
// ("default", "config file <path> [profiles.X]", "env QUILTQ_CATALOG_URL",
// "flag -w", ...). An empty Value means unset.
type Setting struct {
	Name   string `json:"name"`
	Value  string `json:"value"`
	Source string `json:"source"`
}

// SourceDefault is the source of a setting nobody set.
const SourceDefault = "default"

// DefaultProfile is the profile used when none is chosen. It always
// exists, even when the file does not define it.
const DefaultProfile = "default"

// spec describes one setting: its default, the environment variable that
// overrides the file, and how a value is checked and normalized.
type spec struct {
	name  string
	def   string
	env   string
	check func(string) (string, error)
	// number is true for settings that TOML writes as numbers, boolean
	// for those it writes as true or false.
	number  bool
	boolean bool
}

// specs lists the settings in the order `quiltq config` shows them. It
// is a function so that no package-level table can be changed.
func specs() []spec {
	return []spec{
		{name: "catalog_url", env: "QUILTQ_CATALOG_URL", check: checkCatalogURL},
		{name: "region", check: checkRegion},
		{name: "workgroup", check: checkName("workgroup")},
		{name: "catalog", def: "AwsDataCatalog", check: checkName("catalog")},
		{name: "database", check: checkName("database")},
		{name: "output", def: "table", check: checkOutput},
		{name: "price_per_tb", def: "5", check: checkPrice, number: true},
		{name: "aws_profile", check: checkName("aws_profile")},
		{name: "keyring_timeout", def: "3s", env: "QUILTQ_KEYRING_TIMEOUT", check: checkTimeout},
		{name: "insecure_storage", def: "false", check: checkBool("insecure_storage"), boolean: true},
		{name: "max_scan", check: checkSize("max_scan")},
		{name: "reuse", check: checkReuse},
		{name: "read_only", def: "false", check: checkBool("read_only"), boolean: true},
	}
}

func lookupSpec(name string) (spec, bool) {
	for _, s := range specs() {
		if s.name == name {
			return s, true
		}
	}
	return spec{}, false
}

// Names lists the settings a profile may set, in display order.
func Names() []string {
	var names []string
	for _, s := range specs() {
		names = append(names, s.name)
	}
	return names
}

// OutputFormats lists the values the output setting accepts.
func OutputFormats() []string {
	return []string{"table", "csv", "tsv", "json", "jsonl", "markdown"}
}

// Settings are the effective settings of one profile.
type Settings struct {
	// Profile is the chosen profile and ProfileSource why it was chosen
	// ("flag -P", "env QUILTQ_PROFILE", "config file <path> default_profile"
	// or "default").
	Profile       string
	ProfileSource string
	// Path is the config file consulted ("" when no path could be told)
	// and FileFound whether it exists.
	Path      string
	FileFound bool
	// Profiles are the profiles the file defines, sorted.
	Profiles []string

	values []Setting // in the order of specs()

	// UI is the workbench's settings.
	UI UI
}

// UI is the workbench's settings: its theme, the mouse and the keys.
type UI struct {
	// Theme is "light" or "dark"; ThemeSource says who chose it.
	Theme, ThemeSource string
	// Mouse turns the mouse on.
	Mouse bool
	// Keys are the [keys] table's overrides, in the file's order.
	Keys []KeyOverride
}

// KeyOverride is one entry of the [keys] table: a binding ("group.action")
// and the keys that replace its keys, with the line it is written on (0
// when it cannot be told), for error messages.
type KeyOverride struct {
	Name string
	Keys []string
	Line int
}

// Themes lists the values the theme setting accepts.
func Themes() []string { return []string{"dark", "light"} }

// Load reads the settings of a profile: profile when it is not empty
// (it comes from the -P flag), else $QUILTQ_PROFILE, else the file's
// default_profile, else "default". The file is $QUILTQ_CONFIG, else
// config.toml in the XDG config directory; a missing file means
// defaults. The environment (QUILTQ_CATALOG_URL) overrides the file.
// getenv reads the environment.
func Load(getenv func(string) string, profile string) (*Settings, error) {
	paths, pathErr := PathsFrom(getenv)
	s := &Settings{Path: paths.ConfigFile}
	for _, sp := range specs() {
		s.values = append(s.values, Setting{Name: sp.name, Value: sp.def, Source: SourceDefault})
	}

	var f *file
	if s.Path != "" {
		data, err := ReadFile(s.Path)
		switch {
		case errors.Is(err, fs.ErrNotExist) && getenv("QUILTQ_CONFIG") != "":
			return nil, fmt.Errorf("QUILTQ_CONFIG names %s, which does not exist: create it, or unset QUILTQ_CONFIG", s.Path)
		case errors.Is(err, fs.ErrNotExist):
			// No file: defaults.
		case err != nil:
			return nil, fmt.Errorf("reading the config file: %w", err)
		default:
			s.FileFound = true
			if f, err = parseFile(s.Path, data); err != nil {
				return nil, err
			}
			for name := range f.profiles {
				s.Profiles = append(s.Profiles, name)
			}
			slices.Sort(s.Profiles)
		}
	} else if getenv("QUILTQ_PROFILE") != "" || profile != "" {
		// A profile was asked for but there is no file to find it in.
		return nil, fmt.Errorf("no config file to read profiles from: %w", pathErr)
	}

	s.UI = UI{Theme: "dark", ThemeSource: SourceDefault}
	if f != nil {
		if f.theme != "" {
			s.UI.Theme, s.UI.ThemeSource = f.theme, "config file "+s.Path+" theme"
		}
		s.UI.Mouse, s.UI.Keys = f.mouse, f.keys
	}
	if v := getenv("QUILTQ_THEME"); v != "" {
		if !slices.Contains(Themes(), v) {
			return nil, fmt.Errorf("QUILTQ_THEME %q is not a theme: use light or dark", v)
		}
		s.UI.Theme, s.UI.ThemeSource = v, "env QUILTQ_THEME"
	}

	switch {
	case profile != "":
		s.Profile, s.ProfileSource = profile, "flag -P"
	case getenv("QUILTQ_PROFILE") != "":
		s.Profile, s.ProfileSource = getenv("QUILTQ_PROFILE"), "env QUILTQ_PROFILE"
	case f != nil && f.defaultProfile != "":
		s.Profile, s.ProfileSource = f.defaultProfile, "config file "+s.Path+" default_profile"
	default:
		s.Profile, s.ProfileSource = DefaultProfile, SourceDefault
	}

	var prof map[string]string
	if f != nil {
		prof = f.profiles[s.Profile]
	}
	if prof == nil && s.Profile != DefaultProfile {
		return nil, s.unknownProfile()
	}
	for i, sp := range specs() {
		if v, ok := prof[sp.name]; ok {
			s.values[i] = Setting{Name: sp.name, Value: v, Source: fmt.Sprintf("config file %s [profiles.%s]", s.Path, s.Profile)}
		}
		if sp.env == "" || getenv(sp.env) == "" {
			continue
		}
		if err := s.Set(sp.name, getenv(sp.env), "env "+sp.env); err != nil {
			return nil, err
		}
	}
	return s, nil
}

func (s *Settings) unknownProfile() error {
	where := "(" + s.ProfileSource + ")"
	switch {
	case !s.FileFound:
		return fmt.Errorf("profile %q %s is not defined: there is no config file at %s; create it with a [profiles.%s] table, or choose no profile", s.Profile, where, s.Path, s.Profile)
	case len(s.Profiles) == 0:
		return fmt.Errorf("profile %q %s is not defined: %s has no profiles; add a [profiles.%s] table", s.Profile, where, s.Path, s.Profile)
	default:
		return fmt.Errorf("profile %q %s is not defined in %s: its profiles are %s", s.Profile, where, s.Path, strings.Join(s.Profiles, ", "))
	}
}

// Set overrides a setting, checking the name and the value: source says
// who set it ("flag -o"). Values are normalized as the file's are (a
// catalog URL loses its trailing slashes).
func (s *Settings) Set(name, value, source string) error {
	sp, ok := lookupSpec(name)
	if !ok {
		return fmt.Errorf("%s: unknown setting %q%s; the settings are %s", source, name, suggest(name, Names()), strings.Join(Names(), ", "))
	}
	v, err := sp.check(value)
	if err != nil {
		return fmt.Errorf("%s: %w", source, err)
	}
	for i := range s.values {
		if s.values[i].Name == name {
			s.values[i] = Setting{Name: name, Value: v, Source: source}
		}
	}
	return nil
}

// All returns every setting in display order.
func (s *Settings) All() []Setting { return slices.Clone(s.values) }

// Get returns the setting called name; ok is false for an unknown name.
func (s *Settings) Get(name string) (Setting, bool) {
	for _, v := range s.values {
		if v.Name == name {
			return v, true
		}
	}
	return Setting{}, false
}

// IsDefault reports whether nobody set the setting name: neither the
// config file, the environment nor a flag.
func (s *Settings) IsDefault(name string) bool {
	v, ok := s.Get(name)
	return !ok || v.Source == SourceDefault
}

func (s *Settings) value(name string) string {
	v, _ := s.Get(name)
	return v.Value
}

// CatalogURL is the Quilt catalog's URL, without trailing slashes ("" if unset).
func (s *Settings) CatalogURL() string { return s.value("catalog_url") }

// Region is the AWS region that overrides the catalog's ("" if unset).
func (s *Settings) Region() string { return s.value("region") }

// Workgroup is the Athena workgroup ("" means discover one).
func (s *Settings) Workgroup() string { return s.value("workgroup") }

// Catalog is the default Athena data catalog.
func (s *Settings) Catalog() string { return s.value("catalog") }

// Database is the default database ("" if unset).
func (s *Settings) Database() string { return s.value("database") }

// Output is the output format of `quiltq -e`, one of OutputFormats.
func (s *Settings) Output() string { return s.value("output") }

// PricePerTB is the price of a terabyte scanned, in US dollars.
func (s *Settings) PricePerTB() float64 {
	// Every stored value passed checkPrice.
	p, _ := strconv.ParseFloat(s.value("price_per_tb"), 64)
	return p
}

// AWSProfile is the shared AWS profile to use instead of a Quilt login
// ("" if unset).
func (s *Settings) AWSProfile() string { return s.value("aws_profile") }

// KeyringTimeout is the time-box of each keyring call.
func (s *Settings) KeyringTimeout() time.Duration {
	// Every stored value passed checkTimeout.
	d, _ := time.ParseDuration(s.value("keyring_timeout"))
	return d
}

// InsecureStorage reports whether logins go to a plain file instead of
// the keyring.
func (s *Settings) InsecureStorage() bool { return s.value("insecure_storage") == "true" }

func checkTimeout(v string) (string, error) {
	d, err := time.ParseDuration(strings.TrimSpace(v))
	if err != nil || d <= 0 || d > 10*time.Minute {
		return "", fmt.Errorf("keyring_timeout %q is not a duration between 1ms and 10m, such as \"5s\"", v)
	}
	return d.String(), nil
}

func checkBool(name string) func(string) (string, error) {
	return func(v string) (string, error) {
		b, err := strconv.ParseBool(strings.TrimSpace(v))
		if err != nil {
			return "", fmt.Errorf("%s %q is not true or false", name, v)
		}
		return strconv.FormatBool(b), nil
	}
}

func checkCatalogURL(v string) (string, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return "", nil
	}
	if !strings.Contains(v, "://") {
		// People type the host they see in the browser.
		v = "https://" + v
	}
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return "", fmt.Errorf("catalog_url %q is not a catalog address: write it as https://catalog.example.com", v)
	}
	return strings.TrimRight(v, "/"), nil
}

func checkRegion(v string) (string, error) {
	for _, r := range v {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-') {
			return "", fmt.Errorf("region %q is not an AWS region name such as us-east-1", v)
		}
	}
	return v, nil
}

func checkName(name string) func(string) (string, error) {
	return func(v string) (string, error) {
		if strings.TrimSpace(v) != v || strings.ContainsFunc(v, func(r rune) bool { return r < ' ' }) {
			return "", fmt.Errorf("%s %q has surrounding spaces or control characters", name, v)
		}
		return v, nil
	}
}

func checkOutput(v string) (string, error) {
	if !slices.Contains(OutputFormats(), v) {
		return "", fmt.Errorf("output %q is not a format quiltq writes%s: use one of %s", v, suggest(v, OutputFormats()), strings.Join(OutputFormats(), ", "))
	}
	return v, nil
}

func checkPrice(v string) (string, error) {
	p, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
	if err != nil || math.IsNaN(p) || math.IsInf(p, 0) || p < 0 {
		return "", fmt.Errorf("price_per_tb %q is not a price: give US dollars per terabyte scanned as a number of 0 or more, such as 5", v)
	}
	return strconv.FormatFloat(p, 'f', -1, 64), nil
}

// suggest returns ` (did you mean "x"?)` when one of names is within two
// edits of s, else "".
func suggest(s string, names []string) string {
	best, bestD := "", 3
	for _, n := range names {
		if d := levenshtein.ComputeDistance(s, n); d < bestD {
			best, bestD = n, d
		}
	}
	if best == "" {
		return ""
	}
	return fmt.Sprintf(" (did you mean %q?)", best)
}

// file is a parsed, checked config file.
type file struct {
	defaultProfile string
	profiles       map[string]map[string]string // profile -> setting -> normalized value
	theme          string
	mouse          bool
	keys           []KeyOverride
}

// parseFile parses and checks a config file. Errors name the file and,
// where it can be told, the line.
func parseFile(path string, data []byte) (*file, error) {
	text := string(data)
	var raw map[string]any
	md, err := toml.Decode(text, &raw)
	if err != nil {
		var pe toml.ParseError
		if errors.As(err, &pe) {
			return nil, fmt.Errorf("%s:%d: %s; fix the file, or point QUILTQ_CONFIG at another one", path, pe.Position.Line, pe.Message)
		}
		return nil, fmt.Errorf("%s: %s; fix the file, or point QUILTQ_CONFIG at another one", path, strings.TrimPrefix(err.Error(), "toml: "))
	}
	f := &file{profiles: map[string]map[string]string{}}
	bad := func(k toml.Key, format string, args ...any) error {
		where := path
		if line := keyLine(text, k); line > 0 {
			where = fmt.Sprintf("%s:%d", path, line)
		}
		return fmt.Errorf("%s: %s", where, fmt.Sprintf(format, args...))
	}
	// Keys in the order they appear, so the first problem is reported.
	for _, k := range md.Keys() {
		v := lookup(raw, k)
		switch {
		case len(k) == 1 && k[0] == "default_profile":
			s, ok := v.(string)
			if !ok || s == "" {
				return nil, bad(k, "default_profile must be a profile name in quotes, such as default_profile = \"prod\"")
			}
			f.defaultProfile = s
		case len(k) == 1 && k[0] == "profiles":
			if _, ok := v.(map[string]any); !ok {
				return nil, bad(k, "profiles must be tables, such as [profiles.prod]")
			}
		case len(k) == 1 && k[0] == "theme":
			t, ok := v.(string)
			if !ok || !slices.Contains(Themes(), t) {
				return nil, bad(k, "theme must be \"light\" or \"dark\", in quotes")
			}
			f.theme = t
		case len(k) == 1 && k[0] == "mouse":
			b, ok := v.(bool)
			if !ok {
				return nil, bad(k, "mouse must be true or false, without quotes")
			}
			f.mouse = b
		case k[0] == "keys":
			if err := f.addKeys(path, k, v, text, bad); err != nil {
				return nil, err
			}
		case k[0] == "theme" || k[0] == "mouse":
			// Inside a wrongly typed entry, already reported.
		case k[0] != "profiles" && k[0] != "default_profile":
			// Dotted keys (a.b = 1) come without their table's key.
			return nil, bad(k, "unknown key %q%s; the file may set default_profile, theme, mouse, [keys] and [profiles.NAME] tables", k.String(), suggest(k[0], []string{"default_profile", "profiles", "theme", "mouse", "keys"}))
		case k[0] != "profiles":
			// Inside default_profile, already reported as wrongly typed.
		case len(k) == 2:
			if _, ok := v.(map[string]any); !ok {
				return nil, bad(k, "profiles.%s must be a table: write [profiles.%s] and its settings under it", k[1], k[1])
			}
			if f.profiles[k[1]] == nil {
				f.profiles[k[1]] = map[string]string{}
			}
		case len(k) == 3:
			sp, ok := lookupSpec(k[2])
			if !ok {
				return nil, bad(k, "unknown key %q in [profiles.%s]%s; a profile may set %s", k[2], k[1], suggest(k[2], Names()), strings.Join(Names(), ", "))
			}
			str, err := tomlString(v, sp.number, sp.boolean)
			if err != nil {
				return nil, bad(k, "[profiles.%s] %s %s", k[1], k[2], err)
			}
			norm, err := sp.check(str)
			if err != nil {
				return nil, bad(k, "[profiles.%s] %s", k[1], err)
			}
			if f.profiles[k[1]] == nil {
				f.profiles[k[1]] = map[string]string{}
			}
			f.profiles[k[1]][k[2]] = norm
		default:
			// profiles.X.setting.more: the setting itself was a table,
			// reported when its key came by.
		}
	}
	return f, nil
}

// addKeys reads one entry of the [keys] table: "group.action" = ["key", ...].
// The names and keys themselves are checked against the keymap by the
// workbench, which knows them; the line is kept for its errors.
func (f *file) addKeys(path string, k toml.Key, v any, text string, bad func(toml.Key, string, ...any) error) error {
	if _, ok := v.(map[string]any); ok {
		if len(k) == 1 {
			return nil // the [keys] table itself
		}
		if len(k) == 2 && keysLine(text, k[1]) == 0 {
			return nil // the group of a dotted name (global.run = [...])
		}
	}
	if len(k) == 1 {
		return bad(k, "keys must be a table: write [keys] and \"group.action\" = [\"key\", ...] under it")
	}
	name := strings.Join(k[1:], ".")
	line := keysLine(text, name)
	where := func(format string, args ...any) error {
		if line > 0 {
			return fmt.Errorf("%s:%d: %s", path, line, fmt.Sprintf(format, args...))
		}
		return bad(k, format, args...)
	}
	list, ok := v.([]any)
	if !ok {
		return where("[keys] %q must be a list of keys in quotes, such as [\"ctrl+r\", \"f5\"] ([] unbinds it)", name)
	}
	keys := []string{}
	for _, x := range list {
		ks, ok := x.(string)
		if !ok {
			return where("[keys] %q must be a list of keys in quotes, such as [\"ctrl+r\", \"f5\"]", name)
		}
		keys = append(keys, ks)
	}
	f.keys = append(f.keys, KeyOverride{Name: name, Keys: keys, Line: line})
	return nil
}

// keysLine finds the line of the [keys] table on which binding name is
// written ("global.run", quoted or dotted), 0 when it cannot tell.
func keysLine(text, name string) int {
	in := false
	for i, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if strings.HasPrefix(line, "[") {
			in = normalizeKey(strings.Trim(strings.SplitN(line, "#", 2)[0], " \t[]")) == "keys"
			continue
		}
		lhs, _, ok := strings.Cut(line, "=")
		if !in || !ok || strings.HasPrefix(line, "#") {
			continue
		}
		lhs = strings.TrimSpace(lhs)
		if strings.Trim(lhs, `"'`) == name || normalizeKey(lhs) == name {
			return i + 1
		}
	}
	return 0
}

// tomlString turns a decoded TOML value into the setting's text.
func tomlString(v any, number, boolean bool) (string, error) {
	if boolean {
		if b, ok := v.(bool); ok {
			return strconv.FormatBool(b), nil
		}
		return "", fmt.Errorf("must be true or false, without quotes")
	}
	switch v := v.(type) {
	case string:
		if number {
			return "", fmt.Errorf("must be a number, without quotes")
		}
		return v, nil
	case int64:
		if number {
			return strconv.FormatInt(v, 10), nil
		}
	case float64:
		if number {
			return strconv.FormatFloat(v, 'f', -1, 64), nil
		}
	}
	if number {
		return "", fmt.Errorf("must be a number")
	}
	return "", fmt.Errorf("must be a string in quotes")
}

// lookup finds the value of key k in a decoded document.
func lookup(doc map[string]any, k toml.Key) any {
	var v any = doc
	for _, part := range k {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[part]
	}
	return v
}

// keyLine finds the line on which key k is written, for error messages:
// a [table] header or a key = value line, with simple dotted keys. It
// returns 0 when it cannot tell; the toml package does not report the
// positions of keys that decoded fine.
func keyLine(text string, k toml.Key) int {
	want := k.String()
	var table string
	for i, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if strings.HasPrefix(line, "[") {
			hdr := strings.Trim(strings.SplitN(line, "#", 2)[0], " \t[]")
			table = normalizeKey(hdr)
			if table == want {
				return i + 1
			}
			continue
		}
		name, _, ok := strings.Cut(line, "=")
		if !ok || strings.HasPrefix(line, "#") {
			continue
		}
		full := normalizeKey(name)
		if table != "" {
			full = table + "." + full
		}
		if full == want {
			return i + 1
		}
	}
	return 0
}

// normalizeKey writes a dotted key as toml.Key.String does.
func normalizeKey(s string) string {
	var parts toml.Key
	for _, p := range strings.Split(s, ".") {
		parts = append(parts, strings.Trim(strings.TrimSpace(p), `"'`))
	}
	return parts.String()
}
