package buffers

import (
	"bytes"
	"crypto/sha256"
	"encoding/gob"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"

	"github.com/quiltq/quiltq/config"
)

// formatVersion changes when the file's shape does; a file of another
// version is not read (the buffers start afresh, and are written anew).
const formatVersion = 1

// Buffer is one tab as kept across restarts.
type Buffer struct {
	Name     string
	Text     string
	Row, Col int
}

// State is every tab, and which one was active.
type State struct {
	Version   int
	Principal string
	Active    int
	Buffers   []Buffer
}

// Store keeps one principal's tabs in a file of its own under a directory
// ($XDG_CACHE_HOME/quiltq/buffers). The file is named by a hash of the
// principal and records the principal in full: Load refuses a file whose
// principal differs, so that one principal's buffers are never shown to
// another, even if two names were to hash alike or a file were copied.
// It is written 0600 in a 0700 directory, atomically (config.WritePrivate).
// The file is gob, as the catalog cache's: ten tabs of a thousand lines
// are read back in about a millisecond, where JSON takes ten times that
// on the way to the first frame.
type Store struct {
	path, principal string

	mu      sync.Mutex
	written uint64 // the generation of the newest state written
}

// NewStore returns the store of principal (an STS caller ARN and region)
// in dir.
func NewStore(dir, principal string) *Store {
	h := sha256.Sum256([]byte(principal))
	return &Store{path: filepath.Join(dir, "buffers-"+hex.EncodeToString(h[:12])+".gob"), principal: principal}
}

// Path is the store's file.
func (s *Store) Path() string { return s.path }

// Load reads the tabs kept. ok is false when there are none: no file, a
// file of another format version, or one that belongs to another
// principal. A file that cannot be read or parsed is an error.
func (s *Store) Load() (st State, ok bool, err error) {
	b, err := os.ReadFile(s.path)
	if errors.Is(err, fs.ErrNotExist) {
		return State{}, false, nil
	}
	if err != nil {
		return State{}, false, fmt.Errorf("buffers: %w", err)
	}
	if err := gob.NewDecoder(bytes.NewReader(b)).Decode(&st); err != nil {
		return State{}, false, fmt.Errorf("buffers: %s: %w", s.path, err)
	}
	if st.Version != formatVersion || st.Principal != s.principal || len(st.Buffers) == 0 {
		return State{}, false, nil
	}
	st.Active = max(min(st.Active, len(st.Buffers)-1), 0)
	return st, true, nil
}

// Save writes st as the state of generation gen. Saves may run on several
// goroutines (a debounced save still writing as the workbench quits): a
// state older than one already written is dropped, so the file never goes
// back in time.
func (s *Store) Save(gen uint64, st State) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if gen < s.written {
		return nil
	}
	st.Version, st.Principal = formatVersion, s.principal
	var b bytes.Buffer
	if err := gob.NewEncoder(&b).Encode(st); err != nil {
		return fmt.Errorf("buffers: %w", err)
	}
	if err := config.WritePrivate(s.path, b.Bytes()); err != nil {
		return fmt.Errorf("buffers: %w", err)
	}
	s.written = gen
	return nil
}
