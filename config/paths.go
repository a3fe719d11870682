package config

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// Paths are the places quiltq keeps its files.
type Paths struct {
	// ConfigDir is $XDG_CONFIG_HOME/quiltq (default ~/.config/quiltq).
	ConfigDir string
	// ConfigFile is $QUILTQ_CONFIG, else ConfigDir/config.toml.
	ConfigFile string
	// CacheDir is $XDG_CACHE_HOME/quiltq (default ~/.cache/quiltq).
	CacheDir string
}

// errNoHome is returned when neither an XDG variable nor HOME says where
// the user's files go.
var errNoHome = errors.New("cannot tell where your files go: set HOME (or XDG_CONFIG_HOME and XDG_CACHE_HOME)")

// PathsFrom works out the paths from the environment that getenv reads.
// It follows the XDG base directory rules on every system: a relative
// XDG_CONFIG_HOME or XDG_CACHE_HOME is ignored, as the specification
// says. A directory that cannot be told is left empty, and the error
// says what to set; ConfigFile is still set when QUILTQ_CONFIG is.
func PathsFrom(getenv func(string) string) (Paths, error) {
	var p Paths
	var err error
	p.ConfigDir, err = xdgDir(getenv, "XDG_CONFIG_HOME", ".config")
	cacheDir, cacheErr := xdgDir(getenv, "XDG_CACHE_HOME", ".cache")
	p.CacheDir = cacheDir
	switch {
	case getenv("QUILTQ_CONFIG") != "":
		p.ConfigFile = getenv("QUILTQ_CONFIG")
	case p.ConfigDir != "":
		p.ConfigFile = filepath.Join(p.ConfigDir, "config.toml")
	}
	if err == nil {
		err = cacheErr
	}
	return p, err
}

// xdgDir is $<env>/quiltq when that is absolute, else $HOME/<fallback>/quiltq.
func xdgDir(getenv func(string) string, env, fallback string) (string, error) {
	if d := getenv(env); d != "" && filepath.IsAbs(d) {
		return filepath.Join(d, "quiltq"), nil
	}
	home := getenv("HOME")
	if home == "" {
		// Windows has no HOME by default.
		home = getenv("USERPROFILE")
	}
	if home == "" {
		return "", errNoHome
	}
	return filepath.Join(home, fallback, "quiltq"), nil
}

// MaxFileBytes bounds each file quiltq reads among its own (config.toml,
// logins.json, credentials.json) and quilt3's (config.yml, auth.json):
// they hold a few kilobytes, and a path that names /dev/zero or a log by
// mistake must fail at once instead of filling memory.
const MaxFileBytes = 1 << 20

// ReadFile reads path, refusing it at MaxFileBytes while reading. Its
// errors wrap the file system's (errors.Is(err, fs.ErrNotExist) holds
// for a missing file).
func ReadFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxFileBytes+1))
	if err != nil {
		return nil, err
	}
	if len(data) > MaxFileBytes {
		return nil, fmt.Errorf("%s is over %d bytes, larger than any file quiltq reads there: check that it is the file meant", path, MaxFileBytes)
	}
	return data, nil
}
