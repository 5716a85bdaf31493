package alleenwerken_test

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	aw "alleenwerken"
)

func TestWriteFileAtomic(t *testing.T) {
	errWrite := errors.New("disk full")
	for _, tc := range []struct {
		name    string
		old     string // what path holds before; "" for no file
		perm    os.FileMode
		create  bool // CreateFileAtomic instead of WriteFileAtomic
		write   string
		fail    error // returned by write after it wrote
		wantErr error
		want    string // what path holds after
	}{
		{name: "OK", perm: 0o640, write: "new", want: "new"},
		{name: "OKReplaces", old: "old", perm: 0o600, write: "new", want: "new"},
		{name: "ErrWrite", old: "old", perm: 0o600, write: "half", fail: errWrite, wantErr: errWrite, want: "old"},
		{name: "ErrWriteNoFile", perm: 0o600, write: "half", fail: errWrite, wantErr: errWrite},
		{name: "OKCreate", create: true, perm: 0o600, write: "key", want: "key"},
		{name: "ErrCreateExists", create: true, old: "other key", perm: 0o600, write: "key", wantErr: fs.ErrExist, want: "other key"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "file.conf")
			if tc.old != "" {
				if err := os.WriteFile(path, []byte(tc.old), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			do := aw.WriteFileAtomic
			if tc.create {
				do = aw.CreateFileAtomic
			}
			err := do(path, tc.perm, func(f *os.File) error {
				if filepath.Dir(f.Name()) != dir {
					t.Errorf("temporary file %s not beside %s", f.Name(), path)
				}
				if _, err := f.WriteString(tc.write); err != nil {
					return err
				}
				return tc.fail
			})
			if !errors.Is(err, tc.wantErr) || (err == nil) != (tc.wantErr == nil) {
				t.Fatalf("err = %v, want %v", err, tc.wantErr)
			}
			got, rerr := os.ReadFile(path)
			if tc.want == "" {
				if !errors.Is(rerr, fs.ErrNotExist) {
					t.Fatalf("path exists after a failed write: %q %v", got, rerr)
				}
			} else if string(got) != tc.want {
				t.Fatalf("path holds %q, want %q (%v)", got, tc.want, rerr)
			}
			if tc.wantErr == nil {
				if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != tc.perm {
					t.Fatalf("mode %v, want %v (%v)", fi.Mode().Perm(), tc.perm, err)
				}
			}
			if entries, _ := os.ReadDir(dir); len(entries) != min(len(tc.want), 1) {
				t.Fatalf("files left in the folder: %v", entries)
			}
		})
	}
}
