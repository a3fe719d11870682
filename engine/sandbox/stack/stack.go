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
//
// # Quilt's per-bucket tables, and managed roles
//
//	user_athena_database: userathenadatabase-k3v9q2m7xw1p   # stack output UserAthenaDatabaseName
//	iceberg:                                                # Quilt 1.70 and later
//	  database: icebergdatabase-7c4m2x9q0hzt                # stack output IcebergDatabaseName
//	  bucket: sales-prod-icebergbucket-2w8d5n1k7r3f         # where the tables' files live
//	roles:
//	  - name: ReadOnlyQuilt
//	    managed: true                                       # a role made in the catalog's admin page
//	    buckets: [quilt-sandbox-bucket]                     # the buckets it is granted
//
// With iceberg set, the sandbox makes the Iceberg database itself, holding
// for every registered bucket (QuiltBuckets) the tables
// {bucket}_package_revision, _package_tag, _package_manifest and
// _package_entry as Iceberg tables (IcebergTables), and Populate fills
// them from the bucket's packages. A managed role's users see only its
// buckets (GraphQL buckets), and the registry's credentials for it carry
// ManagedSessionPolicy, which scopes S3 and Quilt's per-bucket tables to
// them; an unmanaged role's users see every registered bucket.
//
// # Policies beyond a role's own
//
// Every field below is optional; a stack without them is authorized by its
// roles' identity policies alone, as before. Each document is a policy in
// JSON or YAML form, as for a role's policies.
//
//	roles:
//	  - name: ReadQuiltV2-sales-prod-managed
//	    policies: [...]
//	    session_policies:          # the registry's credentials carry these
//	      - name: buckets
//	        document: {Version: "2012-10-17", Statement: [...]}
//	    permissions_boundary:      # the role's permissions boundary
//	      name: DataBoundary
//	      document: {...}
//	buckets:
//	  - name: quilt-sandbox-bucket
//	    policy: {...}              # bucket policy; statements need a Principal
//	    account_id: "444455556666" # owner, when another account than the stack's
//	kms_keys:
//	  - id: 1234abcd-12ab-34cd-56ef-1234567890ab
//	    policy: {...}              # key policy; none means the default one
//	functions:
//	  - name: quilt-sales-prod-tabulator
//	    policy: {...}              # the function's resource-based policy
//	scps:                          # from the organization's root to the account
//	  - level: root
//	    policies: [{name: FullAWSAccess, document: {...}}]
//	  - level: ou-data
//	    policies: [...]
//
// The sandbox decides every call with all of them (engine/iam.Decide) and
// words each refusal as AWS words it for the policy type that refused.
// A role with session_policies is what the Quilt catalog calls a managed
// role: its credentials, from the registry's get_credentials, are limited
// by them on every later call. KMS keys are checked where Athena uses a
// workgroup's key for query results (kms:GenerateDataKey to write,
// kms:Decrypt to read).
package stack

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
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
	// UserAthenaDatabase names the Glue database of Quilt's per-bucket
	// Athena tables ({bucket}_packages, ...), the stack output
	// UserAthenaDatabaseName (quiltdata/quilt,
	// docs/advanced-features/athena.md). The database itself is one of
	// Databases; naming it lets a managed role's session policy scope
	// its per-bucket tables. Optional.
	UserAthenaDatabase string `yaml:"user_athena_database"`
	// Iceberg, when set, is Quilt's Iceberg package index (Quilt 1.70 and
	// later): a Glue database holding, for every bucket registered with
	// the stack, the tables {bucket}_package_revision, _package_tag,
	// _package_manifest and _package_entry, which Populate fills from the
	// bucket's packages (see IcebergTables).
	Iceberg *Iceberg `yaml:"iceberg"`

	Users        []User        `yaml:"users"`
	Roles        []Role        `yaml:"roles"`
	Buckets      []Bucket      `yaml:"buckets"`
	Databases    []Database    `yaml:"databases"` // Glue databases of AwsDataCatalog
	Workgroups   []Workgroup   `yaml:"workgroups"`
	DataCatalogs []DataCatalog `yaml:"data_catalogs"`
	NamedQueries []NamedQuery  `yaml:"named_queries"`
	// KMSKeys are the account's KMS keys with their key policies, and
	// Functions its Lambda functions with their resource-based policies.
	KMSKeys   []KMSKey   `yaml:"kms_keys"`
	Functions []Function `yaml:"functions"`
	// SCPs are the Organizations service control policies over the
	// stack's account, one level per entry from the organization's root
	// to the account itself; empty means the account is in no
	// organization.
	SCPs []SCPLevel `yaml:"scps"`

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
//
// Quilt has two kinds of role (quiltdata/quilt, shared/graphql/
// schema.graphql: union Role = UnmanagedRole | ManagedRole). A managed
// role is made in the catalog's admin page from policies that grant
// buckets; its users see only the buckets it is granted, and the
// registry scopes the credentials it hands out to them with a session
// policy ("managed users are scoped to their readable buckets via the
// registry-applied session policy; non-managed roles have stack-wide
// access by design", docs/advanced-features/iceberg-tables.md). An
// unmanaged role is an IAM role of the account's own, named by ARN; its
// users "see every in-stack bucket" (the schema's comment on type
// Bucket), and its credentials carry no session policy.
type Role struct {
	Name string `yaml:"name"`
	// Buckets are the buckets a managed role is granted. An unmanaged
	// role's users see every bucket of the stack (QuiltBuckets), whatever
	// it lists.
	Buckets []string `yaml:"buckets"`
	// Managed makes the role a managed one: GraphQL buckets shows its
	// users only Buckets, and the registry passes ManagedSessionPolicy
	// with the credentials it issues.
	Managed  bool     `yaml:"managed"`
	Policies []Policy `yaml:"policies"`
	// SessionPolicies, when set, make the role one that takes a session
	// policy: the registry passes them when it issues the role's
	// credentials (as AssumeRole's Policy and PolicyArns), and every call
	// made with those credentials is limited by them, as Quilt's managed
	// roles are scoped to their buckets.
	SessionPolicies []Policy `yaml:"session_policies"`
	// PermissionsBoundary, when set, is the role's permissions boundary.
	PermissionsBoundary *Policy `yaml:"permissions_boundary"`
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
	Name string `yaml:"name"`
	// Policy, when set, is the bucket policy (a resource-based policy:
	// every statement has a Principal or NotPrincipal).
	Policy Document `yaml:"policy"`
	// AccountID is the account that owns the bucket, when not the
	// stack's: the stack's roles then reach it only where the bucket
	// policy lets them in.
	AccountID       string           `yaml:"account_id"`
	Objects         []Object         `yaml:"objects"`
	Packages        []Package        `yaml:"packages"`
	TabulatorTables []TabulatorTable `yaml:"tabulator_tables"`
}

// Iceberg is where Quilt's Iceberg package tables live: the Glue
// database (the stack output IcebergDatabaseName) and the bucket that
// holds the tables' files (the Iceberg Lambda's QUILT_ICEBERG_BUCKET,
// quiltdata/quilt, lambdas/iceberg/src/t4_lambda_iceberg/__init__.py).
type Iceberg struct {
	Database string `yaml:"database"`
	Bucket   string `yaml:"bucket"`
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
	// Iceberg marks one of the Iceberg package tables IcebergTables
	// makes (never written in a stack file): an Apache Iceberg table
	// whose data files lie under Location's data/ and whose current
	// metadata file is MetadataLocation.
	Iceberg          bool   `yaml:"-"`
	MetadataLocation string `yaml:"-"`
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
	// BytesScannedCutoff is the workgroup's per-query data usage control
	// (BytesScannedCutoffPerQuery), in bytes; 0 for none. A query whose
	// scan passes it is cancelled.
	BytesScannedCutoff int64 `yaml:"bytes_scanned_cutoff_per_query"`
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

// KMSKey is a KMS key of the stack's account. Its ARN is
// arn:aws:kms:REGION:ACCOUNT:key/ID. Policy is its key policy; without
// one the key has the default key policy, which lets the account's IAM
// policies decide.
type KMSKey struct {
	ID     string   `yaml:"id"`
	Policy Document `yaml:"policy"`
}

// Function is a Lambda function of the stack's account
// (arn:aws:lambda:REGION:ACCOUNT:function:NAME), such as the Tabulator
// connector, with its resource-based policy when it has one.
type Function struct {
	Name   string   `yaml:"name"`
	Policy Document `yaml:"policy"`
}

// SCPLevel is one level of the organization above the stack's account
// (the root, an OU, the account) and the SCPs attached there.
type SCPLevel struct {
	Level    string   `yaml:"level"`
	Policies []Policy `yaml:"policies"`
}

// KMSKeyARN is the ARN of the stack's key id.
func (s *Stack) KMSKeyARN(id string) string {
	return "arn:aws:kms:" + s.Region + ":" + s.AccountID + ":key/" + id
}

// FunctionARN is the ARN of the stack's Lambda function name.
func (s *Stack) FunctionARN(name string) string {
	return "arn:aws:lambda:" + s.Region + ":" + s.AccountID + ":function:" + name
}

// NamedQuery is a saved query of a workgroup.
type NamedQuery struct {
	Name        string `yaml:"name"`
	Description string `yaml:"description"`
	Workgroup   string `yaml:"workgroup"`
	Database    string `yaml:"database"`
	SQL         string `yaml:"sql"`
}

// LoadFile reads the stack file at path on disk, as Load does: its
// objects' File fields are read relative to the stack file's folder. A
// file that cannot be opened is named by its whole path.
func LoadFile(path string) (*Stack, error) {
	abs, err := filepath.Abs(path)
	if err == nil {
		_, err = os.Stat(abs)
	}
	if err != nil {
		return nil, fmt.Errorf("stack: %w", err)
	}
	return Load(os.DirFS(filepath.Dir(abs)), filepath.Base(abs))
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
		for _, p := range r.SessionPolicies {
			if !json.Valid(p.Document) {
				return fmt.Errorf("role %s: session policy %s is not valid JSON", r.Name, p.Name)
			}
		}
		if b := r.PermissionsBoundary; b != nil && !json.Valid(b.Document) {
			return fmt.Errorf("role %s: permissions boundary %s is not valid JSON", r.Name, b.Name)
		}
	}
	if err := s.validatePolicies(); err != nil {
		return err
	}
	if ic := s.Iceberg; ic != nil {
		if ic.Database == "" || ic.Bucket == "" {
			return fmt.Errorf("iceberg: both database and bucket are required")
		}
		for _, d := range s.Databases {
			if strings.EqualFold(d.Name, ic.Database) {
				return fmt.Errorf("iceberg: database %s is also among databases; the sandbox makes the Iceberg database itself", ic.Database)
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

// validatePolicies checks the resource policies and SCPs: documents that
// are JSON, keys and functions named once, account ids of twelve digits.
func (s *Stack) validatePolicies() error {
	for _, b := range s.Buckets {
		if len(b.Policy) > 0 && !json.Valid(b.Policy) {
			return fmt.Errorf("bucket %s: its policy is not valid JSON", b.Name)
		}
		if b.AccountID != "" && !twelveDigits(b.AccountID) {
			return fmt.Errorf("bucket %s: account_id %q is not a 12-digit account id", b.Name, b.AccountID)
		}
	}
	keys := map[string]bool{}
	for _, k := range s.KMSKeys {
		if k.ID == "" || keys[k.ID] {
			return fmt.Errorf("kms_keys: every key needs an id, once (%q)", k.ID)
		}
		keys[k.ID] = true
		if len(k.Policy) > 0 && !json.Valid(k.Policy) {
			return fmt.Errorf("kms key %s: its key policy is not valid JSON", k.ID)
		}
	}
	fns := map[string]bool{}
	for _, f := range s.Functions {
		if f.Name == "" || fns[f.Name] {
			return fmt.Errorf("functions: every function needs a name, once (%q)", f.Name)
		}
		fns[f.Name] = true
		if len(f.Policy) > 0 && !json.Valid(f.Policy) {
			return fmt.Errorf("function %s: its policy is not valid JSON", f.Name)
		}
	}
	for i, l := range s.SCPs {
		for _, p := range l.Policies {
			if !json.Valid(p.Document) {
				return fmt.Errorf("scps[%d] (%s): policy %s is not valid JSON", i, l.Level, p.Name)
			}
		}
	}
	return nil
}

func twelveDigits(s string) bool {
	return len(s) == 12 && strings.Trim(s, "0123456789") == ""
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

// QuiltBuckets are the buckets registered with the stack, sorted: those
// a role is granted, or that hold Quilt packages or Tabulator tables.
// They are what an unmanaged role's users see, and the buckets of the
// Iceberg package index.
func (s *Stack) QuiltBuckets() []string {
	set := map[string]bool{}
	for _, r := range s.Roles {
		for _, b := range r.Buckets {
			set[b] = true
		}
	}
	for _, b := range s.Buckets {
		if len(b.Packages) > 0 || len(b.TabulatorTables) > 0 {
			set[b.Name] = true
		}
	}
	out := make([]string, 0, len(set))
	for b := range set {
		out = append(out, b)
	}
	sort.Strings(out)
	return out
}

// RoleBuckets are the buckets GraphQL buckets shows a user of role: its
// Buckets when it is managed, every registered bucket when it is not.
func (s *Stack) RoleBuckets(role string) []string {
	for _, r := range s.Roles {
		if r.Name != role {
			continue
		}
		if r.Managed {
			return append([]string(nil), r.Buckets...)
		}
		return s.QuiltBuckets()
	}
	return nil
}

// Role returns the role of that name.
func (s *Stack) Role(name string) (Role, bool) {
	for _, r := range s.Roles {
		if r.Name == name {
			return r, true
		}
	}
	return Role{}, false
}
