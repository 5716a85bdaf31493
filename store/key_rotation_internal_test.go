package store

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	aw "alleenwerken"
)

// A rotation interrupted by a crash is settled at the next UseKeyFile: after
// the secrets were sealed with the new key, the new key replaces the key
// file; before that, the new key is dropped; a new key file written only
// part way is removed. Either way every secret reads as typed.
func TestRotateKeyInterrupted(t *testing.T) {
	ctx := context.Background()
	const password = "Trunk-geheim-7781"
	for _, tc := range []struct {
		name  string
		crash func(t *testing.T, db *DB, keyPath string) []byte // returns the key that must be in place after
	}{
		{"AfterTheDatabase", func(t *testing.T, db *DB, keyPath string) []byte {
			raw, err := newKeyFile(nextKeyPath(keyPath))
			if err != nil {
				t.Fatal(err)
			}
			nk, _ := keyFrom(raw)
			if err := db.resealWith(ctx, nk); err != nil {
				t.Fatal(err)
			}
			return raw
		}},
		{"BeforeTheDatabase", func(t *testing.T, db *DB, keyPath string) []byte {
			if _, err := newKeyFile(nextKeyPath(keyPath)); err != nil {
				t.Fatal(err)
			}
			old, _ := os.ReadFile(keyPath)
			return old
		}},
		{"PartialNewKey", func(t *testing.T, db *DB, keyPath string) []byte {
			if err := os.WriteFile(nextKeyPath(keyPath), []byte("abc"), 0o600); err != nil {
				t.Fatal(err)
			}
			old, _ := os.ReadFile(keyPath)
			return old
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			path, keyPath := filepath.Join(dir, "aw.db"), filepath.Join(dir, "aw.db.key")
			db, err := Open(path, nil)
			if err != nil {
				t.Fatal(err)
			}
			if err := db.UseKeyFile(ctx, keyPath); err != nil {
				t.Fatal(err)
			}
			if err := db.SaveInstallation(ctx, aw.Installation{Trunk: &aw.Trunk{Host: "sip.example.nl", User: "u", Password: password}}); err != nil {
				t.Fatal(err)
			}
			want := tc.crash(t, db, keyPath)
			db.Close() // the crash

			db, err = Open(path, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			if err := db.UseKeyFile(ctx, keyPath); err != nil {
				t.Fatal(err)
			}
			if got, _ := os.ReadFile(keyPath); !bytes.Equal(got, want) {
				t.Fatal("the wrong key is in place")
			}
			if _, err := os.Stat(nextKeyPath(keyPath)); !os.IsNotExist(err) {
				t.Fatalf("the new key file is still there: %v", err)
			}
			in, err := db.Installation(ctx)
			if err != nil || in.Trunk == nil || in.Trunk.Password != password || len(db.UnopenedSecrets()) != 0 {
				t.Fatalf("after the restart: %+v %v, unopened %v", in.Trunk, err, db.UnopenedSecrets())
			}
		})
	}
}
