package print

import (
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// extensions maps a file name's extension to the format written there,
// in the order errors list them.
var extensions = [...]struct{ ext, format string }{
	{".csv", "csv"},
	{".tsv", "tsv"},
	{".json", "json"},
	{".jsonl", "jsonl"},
	{".ndjson", "jsonl"},
	{".parquet", "parquet"},
	{".md", "markdown"},
}

// Extensions lists the file extensions FormatOf knows: ".csv", ".tsv", ...
func Extensions() []string {
	out := make([]string, len(extensions))
	for i, e := range extensions {
		out[i] = e.ext
	}
	return out
}

// FormatOf is the format a result is written in to path, named by its
// extension (case aside): .csv, .tsv, .json, .jsonl or .ndjson, .parquet,
// .md. Any other extension, or none, is an error that lists them: a file
// named x.parquet holding CSV would be worse than no file.
func FormatOf(path string) (string, error) {
	ext := strings.ToLower(filepath.Ext(path))
	for _, e := range extensions {
		if ext == e.ext {
			return e.format, nil
		}
	}
	what := fmt.Sprintf("extension %q names no format", filepath.Ext(path))
	if ext == "" {
		what = "no extension to name the format"
	}
	exts := Extensions()
	return "", fmt.Errorf("%s: %s; use %s or %s", filepath.Base(path), what, strings.Join(exts[:len(exts)-1], ", "), exts[len(exts)-1])
}

// File is a result file being written: the bytes go to a temporary file
// beside path, which Commit gives its name only when everything was
// written and synced, never replacing a file; Abort removes it. A failed
// write (a full disk) therefore leaves no partial file under the name the
// user asked for.
type File struct {
	tmp  *os.File
	w    io.Writer // tmp, except in tests that make writes fail
	path string
}

// Create starts the file path, refusing when it exists.
func Create(path string) (*File, error) {
	if _, err := os.Lstat(path); err == nil {
		return nil, fmt.Errorf("%s exists: give another name (quiltq never overwrites a file)", path)
	}
	tmp, err := createBeside(path)
	if err != nil {
		return nil, fmt.Errorf("cannot write beside %s: %w", path, err)
	}
	return &File{tmp: tmp, w: tmp, path: path}, nil
}

// createBeside creates a new temporary file in path's directory, named
// after it. Unlike os.CreateTemp's 0600 it asks for 0666, which the umask
// narrows, so that the file it becomes has the mode any file the user
// writes gets (0644 under the usual umask).
func createBeside(path string) (*os.File, error) {
	dir, base := filepath.Dir(path), filepath.Base(path)
	for try := 0; ; try++ {
		name := filepath.Join(dir, "."+base+"."+strconv.FormatUint(rand.Uint64(), 36)+".partial")
		f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o666)
		if err == nil || !errors.Is(err, os.ErrExist) || try == 100 {
			return f, err
		}
	}
}

// Write writes to the temporary file.
func (f *File) Write(p []byte) (int, error) { return f.w.Write(p) }

// Commit syncs the file and gives it its name, unless a file of that
// name appeared meanwhile; on any failure it removes what was written.
func (f *File) Commit() error {
	err := f.tmp.Sync()
	if cerr := f.tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = link(f.tmp.Name(), f.path)
	}
	os.Remove(f.tmp.Name())
	if err != nil {
		return fmt.Errorf("writing %s failed, nothing was kept: %w", f.path, err)
	}
	return nil
}

// link names the file tmp path without replacing a file: a hard link
// fails when path exists. Where hard links are not supported (FAT, some
// network file systems) the name is taken first with O_EXCL, then tmp
// renamed onto the empty file just made.
func link(tmp, path string) error {
	err := os.Link(tmp, path)
	if err == nil || errors.Is(err, os.ErrExist) {
		if err != nil {
			return fmt.Errorf("%s appeared meanwhile: not overwritten", path)
		}
		return nil
	}
	f, xerr := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if xerr != nil {
		return xerr
	}
	f.Close()
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(path)
		return err
	}
	return nil
}

// Abort removes what was written.
func (f *File) Abort() {
	f.tmp.Close()
	os.Remove(f.tmp.Name())
}

// WriteFile writes every row of src to path in the format its extension
// names (FormatOf) and returns how many rows it wrote. It never
// overwrites a file, and when anything fails (reading the rows, a full
// disk) it says so and leaves no file at path.
func WriteFile(path string, src Source) (int64, error) {
	format, err := FormatOf(path)
	if err != nil {
		return 0, err
	}
	f, err := Create(path)
	if err != nil {
		return 0, err
	}
	return writeTo(f, format, src)
}

func writeTo(f *File, format string, src Source) (int64, error) {
	fail := func(err error) (int64, error) {
		f.Abort()
		return 0, fmt.Errorf("writing %s failed, nothing was kept: %w", f.path, err)
	}
	w, err := New(format, f, Options{})
	if err != nil {
		return fail(err)
	}
	if err := w.Header(src.Columns()); err != nil {
		return fail(err)
	}
	for {
		r, err := src.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return fail(err)
		}
		if err := w.Row(r); err != nil {
			return fail(err)
		}
	}
	if err := w.Close(); err != nil {
		return fail(err)
	}
	if err := f.Commit(); err != nil {
		return 0, err
	}
	return w.Rows(), nil
}
