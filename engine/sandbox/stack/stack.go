// Package stack describes a sandbox world in one data file: the Quilt stack
// (users, roles and their IAM policies), its S3 buckets, objects and Quilt
// packages, its Glue databases and tables, its Athena workgroups and data
// catalogs, and its Tabulator tables. The default world is built into the
// binary (Default, from default/stack.yaml); tests and demos describe
// their own and load them with Load. Populate turns a Stack into the
// objects of the sandbox's S3.
//
// # Table data: the sandbox's CSV convention
//
// Every Glue table of a sandbox stack is CSV: each object under the
// table's location (or under each partition's location) is one file of
// rows, read as follows.
//
//   - Fields are separated by the table's Delimiter (default ",") and quoted
//     per RFC 4180: a field holding the delimiter, a quote or a line break
//     is enclosed in double quotes, and a quote inside is doubled.
//   - When Table.Header is true the first line of each object names the
//     columns and is skipped; otherwise every line is a row.
//   - A field `\N` is NULL, in every column.
//   - An empty field is NULL in a column of any type but a string one
//     (string, varchar, char), where it is the empty string.
//   - Objects whose path below the location has a part starting with "_" or
//     "." (_SUCCESS, .hidden) are not data, as in Hive and Athena.
//
// Tables with From set are written by Populate from the bucket's Quilt
// packages; benchmarks.numbers (see WithBench) is generated on first read.
package stack

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"strings"

	"gopkg.in/yaml.v3"
)

// Stack is a whole sandbox world.
type Stack struct {
	Name         string `yaml:"stack"`         // the Quilt stack name, e.g. sales-prod
	Region       string `yaml:"region"`        // e.g. us-east-1
	AccountID    string `yaml:"account_id"`    // twelve digits
	StackVersion string `yaml:"stack_version"` // what config.json reports
	// AnalyticsBucket is reported by config.json, as a real catalog does.
	AnalyticsBucket string `yaml:"analytics_bucket"`

	Users        []User        `yaml:"users"`
	Roles        []Role        `yaml:"roles"`
	Buckets      []Bucket      `yaml:"buckets"`
	Databases    []Database    `yaml:"databases"` // Glue databases of AwsDataCatalog
	Workgroups   []Workgroup   `yaml:"workgroups"`
	DataCatalogs []DataCatalog `yaml:"data_catalogs"`
	NamedQueries []NamedQuery  `yaml:"named_queries"`

	// Bench, when set, adds the generated benchmark table
	// (benchmarks.numbers) with this many rows, generated on first use.
	BenchRows int `yaml:"bench_rows"`
	// CatalogBench, when set, adds generated databases and tables (see
	// WithCatalogBench).
	CatalogBench CatalogBench `yaml:"catalog_bench"`
}

// User is a Quilt catalog user.
type User struct {
	Name  string   `yaml:"name"`  // user name; the STS session name
	Email string   `yaml:"email"` // e.g. analyst@example.com
	Role  string   `yaml:"role"`  // the current role
	Roles []string `yaml:"roles"` // roles the user may switch to (the current one included)
	Admin bool     `yaml:"admin"`
	// RefreshToken, when set, is the user's initial refresh token (so that
	// demos can print a stable one); otherwise one is generated at start.
	RefreshToken string `yaml:"refresh_token"`
}

// Role is a Quilt role: an IAM role with identity policies, plus the
// buckets the Quilt catalog shows to its users.
type Role struct {
	Name     string   `yaml:"name"`
	Buckets  []string `yaml:"buckets"`
	Policies []Policy `yaml:"policies"`
}

// Policy is one named identity policy attached to a role. Document is the
// policy JSON as AWS stores it; in YAML it may be written as a mapping or as
// a JSON string.
type Policy struct {
	Name     string   `yaml:"name"`
	Document Document `yaml:"document"`
}

// Document is a policy document kept as JSON text.
type Document []byte

// UnmarshalYAML accepts a JSON string or a YAML mapping and keeps JSON.
func (d *Document) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		*d = Document(n.Value)
		return nil
	}
	var v any
	if err := n.Decode(&v); err != nil {
		return err
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("line %d: policy document: %w", n.Line, err)
	}
	*d = b
	return nil
}

// Bucket is an S3 bucket with objects, Quilt packages and Tabulator tables.
type Bucket struct {
	Name            string           `yaml:"name"`
	Objects         []Object         `yaml:"objects"`
	Packages        []Package        `yaml:"packages"`
	TabulatorTables []TabulatorTable `yaml:"tabulator_tables"`
}

// Object is one S3 object: its body is Body, or the file File (relative to
// the stack file's folder).
type Object struct {
	Key         string `yaml:"key"`
	Body        string `yaml:"body"`
	File        string `yaml:"file"`
	ContentType string `yaml:"content_type"`
}

// Package is a Quilt package: a named, hashed set of logical keys. The
// sandbox writes its manifest under .quilt/packages/ and its pointers under
// .quilt/named_packages/ in the bucket, as quilt3 does.
//
// Several Package items with the same Name are revisions of one package;
// the one with the latest Time is what the "latest" pointer names.
type Package struct {
	Name    string  `yaml:"name"` // "user/name"
	Message string  `yaml:"message"`
	Entries []Entry `yaml:"entries"`
	// Time is when the revision was pushed (RFC 3339); empty means a
	// deterministic time derived from the revision's position.
	Time string `yaml:"time"`
	// UserMeta is the revision's package-level metadata.
	UserMeta map[string]any `yaml:"user_meta"`
}

// Entry is one logical key of a package and its content.
type Entry struct {
	LogicalKey string `yaml:"logical_key"`
	Body       string `yaml:"body"`
	File       string `yaml:"file"`
	// Meta is the entry's object-level metadata.
	Meta map[string]any `yaml:"meta"`
}

// TabulatorTable is a Tabulator table defined on a bucket: its name and its
// YAML configuration text, as GraphQL bucketConfig returns it.
type TabulatorTable struct {
	Name   string `yaml:"name"`
	Config string `yaml:"config"`
}

// Database is a Glue database.
type Database struct {
	Name        string  `yaml:"name"`
	Description string  `yaml:"description"`
	Tables      []Table `yaml:"tables"`
}

// Table is a Glue table over CSV objects (or a view).
type Table struct {
	Name string `yaml:"name"`
	// Type is EXTERNAL_TABLE (the default) or VIRTUAL_VIEW.
	Type string `yaml:"type"`
	// Location is s3://bucket/prefix/: every object under it is data.
	Location string `yaml:"location"`
	// Header is true when each CSV object starts with a header line.
	Header    bool   `yaml:"header"`
	Delimiter string `yaml:"delimiter"` // default ","
	// ViewSQL is the query of a VIRTUAL_VIEW.
	ViewSQL       string      `yaml:"view_sql"`
	Columns       []Column    `yaml:"columns"`
	PartitionKeys []Column    `yaml:"partition_keys"`
	Partitions    []Partition `yaml:"partitions"`
	Description   string      `yaml:"description"`
	// From, when set, makes Populate write the table's data itself from
	// the Quilt packages of the bucket of Location, as Quilt's own Athena
	// tables are derived: FromPackages or FromObjects.
	From string `yaml:"from"`
}

// Column is a table column with its Hive/Athena type (string, bigint,
// double, boolean, date, timestamp, ...).
type Column struct {
	Name    string `yaml:"name"`
	Type    string `yaml:"type"`
	Comment string `yaml:"comment"`
}

// Partition is one partition of a partitioned table.
type Partition struct {
	Values   []string `yaml:"values"`
	Location string   `yaml:"location"`
}

// Workgroup is an Athena workgroup.
type Workgroup struct {
	Name        string `yaml:"name"`
	Description string `yaml:"description"`
	State       string `yaml:"state"` // ENABLED (default) or DISABLED
	// OutputLocation is the result location, s3://bucket/prefix/.
	OutputLocation string `yaml:"output_location"`
	// Enforce makes the workgroup's settings override the client's.
	Enforce bool `yaml:"enforce"`
	// Encryption is SSE_S3, SSE_KMS, CSE_KMS or empty; KMSKey its key ARN.
	Encryption string `yaml:"encryption"`
	KMSKey     string `yaml:"kms_key"`
}

// DataCatalog is an Athena data catalog. AwsDataCatalog (type GLUE) always
// exists; a Tabulator catalog is of type LAMBDA with parameter "function"
// naming its Lambda's ARN.
type DataCatalog struct {
	Name        string            `yaml:"name"`
	Type        string            `yaml:"type"`
	Description string            `yaml:"description"`
	Parameters  map[string]string `yaml:"parameters"`
}

// NamedQuery is a saved query of a workgroup.
type NamedQuery struct {
	Name        string `yaml:"name"`
	Description string `yaml:"description"`
	Workgroup   string `yaml:"workgroup"`
	Database    string `yaml:"database"`
	SQL         string `yaml:"sql"`
}

// Load reads the stack file name from fsys. Objects' File fields are read
// relative to the stack file's folder, in the same file system.
func Load(fsys fs.FS, name string) (*Stack, error) {
	data, err := fs.ReadFile(fsys, name)
	if err != nil {
		return nil, fmt.Errorf("stack: %w", err)
	}
	var s Stack
	dec := yaml.NewDecoder(strings.NewReader(string(data)))
	dec.KnownFields(true)
	if err := dec.Decode(&s); err != nil {
		return nil, fmt.Errorf("stack %s: %w", name, err)
	}
	dir := path.Dir(name)
	if err := s.readFiles(fsys, dir); err != nil {
		return nil, fmt.Errorf("stack %s: %w", name, err)
	}
	if err := s.Validate(); err != nil {
		return nil, fmt.Errorf("stack %s: %w", name, err)
	}
	return &s, nil
}

func (s *Stack) readFiles(fsys fs.FS, dir string) error {
	read := func(file string) (string, error) {
		b, err := fs.ReadFile(fsys, path.Join(dir, file))
		return string(b), err
	}
	for i := range s.Buckets {
		b := &s.Buckets[i]
		for j := range b.Objects {
			o := &b.Objects[j]
			if o.File == "" {
				continue
			}
			body, err := read(o.File)
			if err != nil {
				return fmt.Errorf("bucket %s object %s: %w", b.Name, o.Key, err)
			}
			o.Body, o.File = body, ""
		}
		for j := range b.Packages {
			p := &b.Packages[j]
			for k := range p.Entries {
				e := &p.Entries[k]
				if e.File == "" {
					continue
				}
				body, err := read(e.File)
				if err != nil {
					return fmt.Errorf("bucket %s package %s entry %s: %w", b.Name, p.Name, e.LogicalKey, err)
				}
				e.Body, e.File = body, ""
			}
		}
	}
	return nil
}

// Validate checks what the sandbox relies on: names present and unique,
// users' roles defined, and every policy document well-formed JSON.
func (s *Stack) Validate() error {
	if s.Name == "" || s.Region == "" || len(s.AccountID) != 12 {
		return fmt.Errorf("stack, region and a 12-digit account_id are required")
	}
	roles := map[string]bool{}
	for _, r := range s.Roles {
		if roles[r.Name] {
			return fmt.Errorf("role %q is defined twice", r.Name)
		}
		roles[r.Name] = true
		for _, p := range r.Policies {
			if !json.Valid(p.Document) {
				return fmt.Errorf("role %s: policy %s is not valid JSON", r.Name, p.Name)
			}
		}
	}
	users := map[string]bool{}
	for _, u := range s.Users {
		if u.Name == "" || u.Email == "" {
			return fmt.Errorf("every user needs a name and an email")
		}
		if users[u.Name] {
			return fmt.Errorf("user %q is defined twice", u.Name)
		}
		users[u.Name] = true
		if !roles[u.Role] {
			return fmt.Errorf("user %s: role %q is not defined", u.Name, u.Role)
		}
		for _, r := range u.Roles {
			if !roles[r] {
				return fmt.Errorf("user %s: role %q is not defined", u.Name, r)
			}
		}
	}
	return s.validateTables()
}

// validateTables checks table types and derived tables' columns.
func (s *Stack) validateTables() error {
	for _, d := range s.Databases {
		for _, t := range d.Tables {
			switch t.Type {
			case "", "EXTERNAL_TABLE", "VIRTUAL_VIEW":
			default:
				return fmt.Errorf("table %s.%s: type %q is not EXTERNAL_TABLE or VIRTUAL_VIEW", d.Name, t.Name, t.Type)
			}
			var want []string
			switch t.From {
			case "":
				continue
			case FromPackages:
				want = FromPackagesColumns()
			case FromObjects:
				want = FromObjectsColumns()
			default:
				return fmt.Errorf("table %s.%s: from %q is not %s or %s", d.Name, t.Name, t.From, FromPackages, FromObjects)
			}
			got := make([]string, len(t.Columns))
			for i, c := range t.Columns {
				got[i] = c.Name
			}
			if strings.Join(got, ",") != strings.Join(want, ",") {
				return fmt.Errorf("table %s.%s: from %s writes columns %s, but the table has %s", d.Name, t.Name, t.From, strings.Join(want, ", "), strings.Join(got, ", "))
			}
		}
	}
	return nil
}

// User returns the user with the given name or email.
func (s *Stack) User(nameOrEmail string) (User, bool) {
	for _, u := range s.Users {
		if strings.EqualFold(u.Name, nameOrEmail) || strings.EqualFold(u.Email, nameOrEmail) {
			return u, true
		}
	}
	return User{}, false
}

// TabulatorCatalog is the name of the stack's Tabulator data catalog.
func (s *Stack) TabulatorCatalog() string {
	return "quilt-" + s.Name + "-tabulator"
}
