package store_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"reflect"
	"syscall"
	"testing"

	aw "alleenwerken"
	"alleenwerken/store"
)

// RotateKey seals every secret with a new key: the secrets read the same,
// the key file holds the new key (0600) and nothing else is left beside it,
// the old key opens neither the file nor anything in it, and a backup taken
// before opens with the old key only. With a secret the key cannot open it
// refuses and changes nothing.
func TestRotateKey(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path, keyPath := filepath.Join(dir, "aw.db"), filepath.Join(dir, "aw.db.key")
	db := openWithKey(t, path, keyPath)
	saveSecrets(t, db)
	oldKey, _ := os.ReadFile(keyPath)
	before := filepath.Join(dir, "before.db")
	if err := db.BackupToFile(before); err != nil {
		t.Fatal(err)
	}
	if err := db.RotateKey(ctx, keyPath); err != nil {
		t.Fatal(err)
	}
	newKey, _ := os.ReadFile(keyPath)
	if fi, err := os.Stat(keyPath); err != nil || fi.Mode().Perm() != 0o600 || len(newKey) != store.KeySize || bytes.Equal(newKey, oldKey) {
		t.Fatalf("key file after the rotation: %v %v, changed %v", fi, err, !bytes.Equal(newKey, oldKey))
	}
	if _, err := os.Stat(keyPath + ".next"); !os.IsNotExist(err) {
		t.Fatalf("the new key is still beside the key file: %v", err)
	}
	if in, _ := db.Installation(ctx); !reflect.DeepEqual(in, secretInstallation()) {
		t.Fatalf("after the rotation: %+v", in)
	}
	if s, _ := db.Settings(ctx); s.SIMPIN != "97531" {
		t.Fatalf("SIM PIN after the rotation: %q", s.SIMPIN)
	}
	if found := fileHolds(t, path); len(found) != 0 {
		t.Fatalf("database file holds %q", found)
	}
	db.Close()

	// The old key (a copy of the file as it was) opens nothing now.
	oldKeyPath := filepath.Join(dir, "old.key")
	if err := os.WriteFile(oldKeyPath, oldKey, 0o600); err != nil {
		t.Fatal(err)
	}
	withOld := openWithKey(t, copyFile(t, path), oldKeyPath)
	if in, _ := withOld.Installation(ctx); in.Trunk.Password != "" || in.Connection.ARIPassword != "" {
		t.Fatalf("the old key still opens the rotated file: %+v", in)
	}
	// The backup from before opens with the old key only.
	if in, _ := openWithKey(t, before, oldKeyPath).Installation(ctx); !reflect.DeepEqual(in, secretInstallation()) {
		t.Fatalf("backup from before with the old key: %+v", in)
	}
	// Reopened with its key file, everything reads as before.
	db = openWithKey(t, path, keyPath)
	if in, _ := db.Installation(ctx); !reflect.DeepEqual(in, secretInstallation()) {
		t.Fatalf("after a reopen: %+v", in)
	}

	// A secret the key cannot open (a backup restored with another key): refused.
	otherKey := filepath.Join(dir, "other.key")
	restored := openWithKey(t, copyFile(t, before), otherKey)
	keyBefore, _ := os.ReadFile(otherKey)
	err := restored.RotateKey(ctx, otherKey)
	if aw.ErrorCode(err) != aw.ECONFLICT {
		t.Fatalf("rotation with unopenable secrets: %v", err)
	}
	t.Logf("refused: %v", err)
	if keyAfter, _ := os.ReadFile(otherKey); !bytes.Equal(keyBefore, keyAfter) {
		t.Fatal("the key file changed on a refused rotation")
	}
	if _, err := os.Stat(otherKey + ".next"); !os.IsNotExist(err) {
		t.Fatalf("a new key was left beside it: %v", err)
	}
	// No key file yet: nothing to replace, and none is made.
	missing := filepath.Join(dir, "missing.key")
	if err := restored.RotateKey(ctx, missing); aw.ErrorCode(err) != aw.ECONFLICT {
		t.Fatalf("rotation without a key file: %v", err)
	}
	if _, err := os.Stat(missing); !os.IsNotExist(err) {
		t.Fatalf("a key file was made: %v", err)
	}
}

// Run as root (the admin command usually is), the rotation leaves the new
// key file and the rewritten database file owned by the daemon's user, as
// the files they replace were.
func TestRotateKeyKeepsOwner(t *testing.T) {
	if os.Geteuid() != 0 {
		if os.Getenv("CI") == "true" {
			t.Fatal("needs root (CI runs as root)")
		}
		t.Skip("SKIPPED: needs root; run the README's test command as root, as CI does")
	}
	const uid, gid = 65534, 65534 // nobody, as the daemon's user
	ctx := context.Background()
	dir := t.TempDir()
	path, keyPath := filepath.Join(dir, "aw.db"), filepath.Join(dir, "aw.db.key")
	db := openWithKey(t, path, keyPath)
	saveSecrets(t, db)
	for _, p := range []string{path, keyPath} {
		if err := os.Chown(p, uid, gid); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.RotateKey(ctx, keyPath); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{path, keyPath} {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		st := fi.Sys().(*syscall.Stat_t)
		if st.Uid != uid || st.Gid != gid || fi.Mode().Perm() != 0o600 {
			t.Fatalf("%s after the rotation: owner %d:%d mode %v, want %d:%d 0600", filepath.Base(p), st.Uid, st.Gid, fi.Mode().Perm(), uid, gid)
		}
	}
}
