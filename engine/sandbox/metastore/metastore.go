// Package metastore is the sandbox's Glue Data Catalog: databases and
// tables over CSV objects in the sandbox's S3, and the Tabulator tables
// that Quilt defines per bucket. The Glue endpoint serves it, and Athena
// reads it (as the caller) to list metadata and to run queries.
//
// Besides metadata it reads data, for Athena to run queries on: Objects and
// Scan give a Glue table's data objects and rows, read by the sandbox's CSV
// convention (documented in package stack: RFC 4180 quoting, optional
// header, `\N` is NULL, an empty field is NULL except in string columns);
// the Tabulator* methods list a bucket's Tabulator tables and read their
// rows from the bucket's Quilt packages, as the Tabulator Lambda does.
package metastore

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/quiltq/quiltq/engine/sandbox/objstore"
	"github.com/quiltq/quiltq/engine/sandbox/stack"
)

// ErrNotFound is wrapped by every lookup of what does not exist.
var ErrNotFound = errors.New("not found")

// Database is a Glue database.
type Database struct {
	Name        string
	Description string
	LocationURI string
	CreateTime  time.Time
}

// Table is a Glue table.
type Table struct {
	Database      string
	Name          string
	Type          string // EXTERNAL_TABLE or VIRTUAL_VIEW
	Description   string
	Location      string // s3://bucket/prefix/
	Header        bool
	Delimiter     string
	ViewSQL       string
	Columns       []stack.Column
	PartitionKeys []stack.Column
	Partitions    []stack.Partition
	CreateTime    time.Time
	// Parameters are the table's Glue parameters beyond what the fields
	// above say: an Iceberg table's table_type=ICEBERG and
	// metadata_location (see Iceberg).
	Parameters map[string]string
}

// Iceberg reports whether t is an Apache Iceberg table: Glue parameter
// table_type=ICEBERG, as Athena and Iceberg's Glue catalog record one
// (Athena User Guide, "Create Iceberg tables"). Its data files lie under
// Location's data/ and its current metadata file is the parameter
// metadata_location.
func (t Table) Iceberg() bool { return strings.EqualFold(t.Parameters["table_type"], "ICEBERG") }

// MetadataLocation is an Iceberg table's current metadata file, "" for
// any other table.
func (t Table) MetadataLocation() string {
	if !t.Iceberg() {
		return ""
	}
	return t.Parameters["metadata_location"]
}

// Store is the catalog. It is safe for concurrent use.
type Store struct {
	mu        sync.RWMutex
	databases map[string]*Database
	tables    map[string]map[string]*Table // database -> table
	objects   *objstore.Store
	stack     *stack.Stack
}

// New builds the catalog of st, whose table data lives in objects.
func New(st *stack.Stack, objects *objstore.Store, now time.Time) (*Store, error) {
	s := &Store{databases: map[string]*Database{}, tables: map[string]map[string]*Table{}, objects: objects, stack: st}
	for _, d := range st.Databases {
		name := strings.ToLower(d.Name)
		if _, dup := s.databases[name]; dup {
			return nil, fmt.Errorf("metastore: database %q is defined twice", name)
		}
		s.databases[name] = &Database{Name: name, Description: d.Description, CreateTime: now}
		s.tables[name] = map[string]*Table{}
		for _, t := range d.Tables {
			tn := strings.ToLower(t.Name)
			if _, dup := s.tables[name][tn]; dup {
				return nil, fmt.Errorf("metastore: table %s.%s is defined twice", name, tn)
			}
			typ := t.Type
			if typ == "" {
				typ = "EXTERNAL_TABLE"
			}
			delim := t.Delimiter
			if delim == "" {
				delim = ","
			}
			s.tables[name][tn] = &Table{
				Database: name, Name: tn, Type: typ, Description: t.Description, Location: t.Location,
				Header: t.Header, Delimiter: delim, ViewSQL: t.ViewSQL, Columns: t.Columns,
				PartitionKeys: t.PartitionKeys, Partitions: t.Partitions, CreateTime: now,
			}
		}
	}
	if ic := st.Iceberg; ic != nil {
		name := strings.ToLower(ic.Database)
		s.databases[name] = &Database{Name: name, CreateTime: now,
			Description: "Quilt's Iceberg package index, one set of tables per bucket (stack output IcebergDatabaseName)"}
		s.tables[name] = map[string]*Table{}
		for _, t := range st.IcebergTables() {
			tn := strings.ToLower(t.Name)
			s.tables[name][tn] = &Table{
				Database: name, Name: tn, Type: "EXTERNAL_TABLE", Description: t.Description, Location: t.Location,
				Delimiter: ",", Columns: t.Columns, CreateTime: now,
				Parameters: map[string]string{"table_type": "ICEBERG", "metadata_location": t.MetadataLocation},
			}
		}
	}
	return s, nil
}

// Databases lists the databases in name order.
func (s *Store) Databases() []Database {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]Database, 0, len(s.databases))
	for _, d := range s.databases {
		out = append(out, *d)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Database returns one database.
func (s *Store) Database(name string) (Database, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	d, ok := s.databases[strings.ToLower(name)]
	if !ok {
		return Database{}, fmt.Errorf("database %s: %w", name, ErrNotFound)
	}
	return *d, nil
}

// Tables lists a database's tables in name order.
func (s *Store) Tables(database string) ([]Table, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	ts, ok := s.tables[strings.ToLower(database)]
	if !ok {
		return nil, fmt.Errorf("database %s: %w", database, ErrNotFound)
	}
	out := make([]Table, 0, len(ts))
	for _, t := range ts {
		out = append(out, *t)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// Table returns one table.
func (s *Store) Table(database, name string) (Table, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	ts, ok := s.tables[strings.ToLower(database)]
	if !ok {
		return Table{}, fmt.Errorf("database %s: %w", database, ErrNotFound)
	}
	t, ok := ts[strings.ToLower(name)]
	if !ok {
		return Table{}, fmt.Errorf("table %s.%s: %w", database, name, ErrNotFound)
	}
	return *t, nil
}

// ErrExists is wrapped when a database or table to create already exists.
var ErrExists = errors.New("already exists")

// ErrNotEmpty is wrapped when a database to drop still holds tables.
var ErrNotEmpty = errors.New("is not empty")

// CreateDatabase adds a database; its name is kept in lower case, as
// Glue keeps it.
func (s *Store) CreateDatabase(d Database) error {
	d.Name = strings.ToLower(d.Name)
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.databases[d.Name]; ok {
		return fmt.Errorf("database %s %w", d.Name, ErrExists)
	}
	s.databases[d.Name] = &d
	s.tables[d.Name] = map[string]*Table{}
	return nil
}

// DropDatabase removes a database. Unless cascade, it must hold no
// tables; with cascade its tables go with it.
func (s *Store) DropDatabase(name string, cascade bool) error {
	name = strings.ToLower(name)
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.databases[name]; !ok {
		return fmt.Errorf("database %s: %w", name, ErrNotFound)
	}
	if len(s.tables[name]) > 0 && !cascade {
		return fmt.Errorf("database %s %w", name, ErrNotEmpty)
	}
	delete(s.databases, name)
	delete(s.tables, name)
	return nil
}

// CreateTable adds t to its database, or replaces the table of the same
// name when replace is set. Names are kept in lower case.
func (s *Store) CreateTable(t Table, replace bool) error {
	t.Database, t.Name = strings.ToLower(t.Database), strings.ToLower(t.Name)
	if t.Type == "" {
		t.Type = "EXTERNAL_TABLE"
	}
	if t.Delimiter == "" {
		t.Delimiter = ","
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	ts, ok := s.tables[t.Database]
	if !ok {
		return fmt.Errorf("database %s: %w", t.Database, ErrNotFound)
	}
	if _, ok := ts[t.Name]; ok && !replace {
		return fmt.Errorf("table %s.%s %w", t.Database, t.Name, ErrExists)
	}
	ts[t.Name] = &t
	return nil
}

// DropTable removes a table from the catalog; its data stays in S3, as
// an external table's does.
func (s *Store) DropTable(database, name string) error {
	database, name = strings.ToLower(database), strings.ToLower(name)
	s.mu.Lock()
	defer s.mu.Unlock()
	ts, ok := s.tables[database]
	if !ok {
		return fmt.Errorf("database %s: %w", database, ErrNotFound)
	}
	if _, ok := ts[name]; !ok {
		return fmt.Errorf("table %s.%s: %w", database, name, ErrNotFound)
	}
	delete(ts, name)
	return nil
}
