package alleenwerken

import (
	"fmt"
	"os"
	"path/filepath"
)

// WriteFileAtomic writes the file at path whole or not at all. write fills a
// temporary file in path's folder; that file is synced, given perm and
// renamed over path, and the folder is synced. On any failure the temporary
// file is removed and path is as it was. write gets the file itself so that
// it may check the complete file by its name (f.Name()) before it takes
// path's place.
func WriteFileAtomic(path string, perm os.FileMode, write func(f *os.File) error) error {
	return writeAndPlace(path, perm, write, os.Rename)
}

// CreateFileAtomic is WriteFileAtomic for a file that must not exist yet:
// the temporary file is linked to path, so that it fails (fs.ErrExist)
// rather than replace a file another process made first.
func CreateFileAtomic(path string, perm os.FileMode, write func(f *os.File) error) error {
	return writeAndPlace(path, perm, write, os.Link)
}

// writeAndPlace writes a temporary file beside path and puts it in path's
// place with place (rename or link).
func writeAndPlace(path string, perm os.FileMode, write func(f *os.File) error, place func(tmp, path string) error) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name()) // nothing left after a rename; the second name after a link
	err = write(f)
	if err == nil {
		err = f.Sync()
	}
	if err == nil {
		err = f.Chmod(perm)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = place(f.Name(), path)
	}
	if err != nil {
		return err
	}
	return SyncDir(path)
}

// SyncDir syncs the folder of path, which makes a rename or link of path
// in it durable.
func SyncDir(path string) error {
	d, err := os.Open(filepath.Dir(path))
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("sync %s: %w", filepath.Dir(path), err)
	}
	return nil
}
