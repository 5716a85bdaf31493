package store_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	aw "alleenwerken"
	"alleenwerken/store"
)

// secretInstallation has every secret the installation keeps.
func secretInstallation() aw.Installation {
	return aw.Installation{
		Trunk:              &aw.Trunk{Host: "sip.example.nl", User: "0301234567", Password: "Trunk-geheim-7781"},
		ExtensionPasswords: map[string]string{"201": "Toestel-geheim-201", "515": "Toestel-geheim-515"},
		Connection: &aw.Connection{ARIURL: "http://127.0.0.1:8088/ari", ARIUser: "aw", ARIPassword: "ARI-geheim-3302",
			ARIApp: "alleenwerken", ModemPorts: []string{"/dev/alleenwerken-modem"}},
	}
}

var secretWords = []string{"Trunk-geheim-7781", "Toestel-geheim-201", "Toestel-geheim-515", "ARI-geheim-3302", "97531"}

// openWithKey opens path and seals with the key file keyPath.
func openWithKey(t *testing.T, path, keyPath string) *store.DB {
	t.Helper()
	db := MustOpenPath(t, path)
	if err := db.UseKeyFile(context.Background(), keyPath); err != nil {
		t.Fatal(err)
	}
	return db
}

// saveSecrets stores the installation and a SIM PIN.
func saveSecrets(t *testing.T, db *store.DB) {
	t.Helper()
	ctx := context.Background()
	if err := db.SaveInstallation(ctx, secretInstallation()); err != nil {
		t.Fatal(err)
	}
	s, _ := db.Settings(ctx)
	s.SIMPIN = "97531"
	if err := db.SaveSettings(ctx, s); err != nil {
		t.Fatal(err)
	}
}

// fileHolds reports which secrets appear as bytes anywhere in the file.
func fileHolds(t *testing.T, path string) []string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var found []string
	for _, w := range secretWords {
		if bytes.Contains(b, []byte(w)) {
			found = append(found, w)
		}
	}
	return found
}

// The passwords and the SIM PIN are sealed in the database file and in its
// backups; they read back with the key file, and as empty (to be entered
// again) without it or with another one.
func TestSecretsSealed(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path, keyPath := filepath.Join(dir, "aw.db"), filepath.Join(dir, "aw.key")
	db := openWithKey(t, path, keyPath)
	saveSecrets(t, db)
	backup := filepath.Join(dir, "backup.db")
	if err := db.BackupToFile(backup); err != nil {
		t.Fatal(err)
	}
	db.Close()

	if fi, err := os.Stat(keyPath); err != nil || fi.Mode().Perm() != 0o600 || fi.Size() != store.KeySize {
		t.Fatalf("key file: %v %v", fi, err)
	}
	if tmp, _ := filepath.Glob(filepath.Join(dir, ".aw.key.tmp*")); len(tmp) != 0 {
		t.Fatalf("temporary key files left: %v", tmp)
	}
	for _, f := range []string{path, backup} {
		if found := fileHolds(t, f); len(found) != 0 {
			t.Fatalf("%s holds %q as typed", filepath.Base(f), found)
		}
	}

	db = openWithKey(t, path, keyPath)
	if in, err := db.Installation(ctx); err != nil || !reflect.DeepEqual(in, secretInstallation()) {
		t.Fatalf("with the key:\n got %+v %v\nwant %+v", in, err, secretInstallation())
	}
	if s, _ := db.Settings(ctx); s.SIMPIN != "97531" {
		t.Fatalf("SIM PIN with the key: %q", s.SIMPIN)
	}
	db.Close()

	for name, key := range map[string]string{"NoKey": "", "OtherKey": filepath.Join(dir, "other.key")} {
		t.Run("Backup"+name, func(t *testing.T) {
			db := MustOpenPath(t, copyFile(t, backup))
			if key != "" {
				if err := db.UseKeyFile(ctx, key); err != nil {
					t.Fatal(err)
				}
			}
			in, err := db.Installation(ctx)
			if err != nil {
				t.Fatal(err)
			}
			want := secretInstallation()
			want.Trunk.Password, want.Connection.ARIPassword = "", ""
			want.ExtensionPasswords = map[string]string{"201": "", "515": ""}
			if !reflect.DeepEqual(in, want) {
				t.Fatalf("backup %s:\n got %+v\nwant %+v", name, in, want)
			}
			if s, _ := db.Settings(ctx); s.SIMPIN != "" || s.Language == "" || s.RingTimeout == 0 {
				t.Fatalf("backup %s settings: PIN %q, language %q, ring timeout %s", name, s.SIMPIN, s.Language, s.RingTimeout)
			}
			if h := db.Health(); h.State != aw.HealthDegraded ||
				!strings.Contains(h.Reason, "(ari_password, extension_password:201, extension_password:515, sim_pin, trunk_password): voer ze opnieuw in") {
				t.Fatalf("health with secrets it cannot open: %+v", h)
			}
			// Entered again: stored with this key, the health is ok again.
			saveSecrets(t, db)
			if in, _ := db.Installation(ctx); !reflect.DeepEqual(in, secretInstallation()) {
				t.Fatalf("entered again: %+v", in)
			}
			if h := db.Health(); h.State != aw.HealthOK || len(db.UnopenedSecrets()) != 0 {
				t.Fatalf("health after entering them again: %+v %v", h, db.UnopenedSecrets())
			}
		})
	}
	t.Run("KeptUntilEnteredAgain", func(t *testing.T) {
		// Restored with another key: saving the trunk (typed again) and the
		// settings keeps the other secrets as stored, so the right key file,
		// put back, opens them again.
		restored := copyFile(t, backup)
		db := openWithKey(t, restored, filepath.Join(t.TempDir(), "new.key"))
		in, _ := db.Installation(ctx)
		in.Trunk.Password = "Trunk-nieuw-1"
		if err := db.SaveInstallation(ctx, in); err != nil {
			t.Fatalf("saving the trunk while the ARI password cannot be opened: %v", err)
		}
		set, _ := db.Settings(ctx)
		set.RingTimeout += 1e9
		if err := db.SaveSettings(ctx, set); err != nil {
			t.Fatal(err)
		}
		if got := db.UnopenedSecrets(); !slices.Equal(got, []string{"ari_password", "extension_password:201", "extension_password:515", "sim_pin"}) {
			t.Fatalf("unopened after saving the trunk: %v", got)
		}
		db.Close()
		db = openWithKey(t, restored, keyPath)
		want := secretInstallation()
		want.Trunk.Password = ""
		if got, _ := db.Installation(ctx); !reflect.DeepEqual(got, want) {
			t.Fatalf("with the old key back:\n got %+v\nwant %+v", got, want)
		}
		if s, _ := db.Settings(ctx); s.SIMPIN != "97531" {
			t.Fatalf("SIM PIN with the old key back: %q", s.SIMPIN)
		}
	})
	t.Run("BackupWithItsKey", func(t *testing.T) {
		db := openWithKey(t, backup, keyPath)
		if in, _ := db.Installation(ctx); !reflect.DeepEqual(in, secretInstallation()) {
			t.Fatalf("got %+v", in)
		}
	})
	t.Run("ShortKeyFile", func(t *testing.T) {
		short := filepath.Join(dir, "short.key")
		os.WriteFile(short, []byte("te kort"), 0o600)
		db := MustOpenPath(t, filepath.Join(dir, "other.db"))
		if err := db.UseKeyFile(ctx, short); err == nil {
			t.Fatal("a 7-byte key file was taken")
		}
	})
}

// Secrets stored as typed before the key file was used are sealed when it
// is first used, and read back the same; without the key they no longer
// read.
func TestSecretsSealedOnFirstKey(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "aw.db")
	db := MustOpenPath(t, path)
	saveSecrets(t, db)
	if found := fileHolds(t, path); len(found) != len(secretWords) {
		t.Fatalf("without a key file the secrets are stored as typed; found %q", found)
	}
	// Other data stays as it was through the rewrite of the file.
	sess := mustCreateSession(t, db, newSession("dev1"))
	if err := db.UseKeyFile(ctx, filepath.Join(dir, "aw.key")); err != nil {
		t.Fatal(err)
	}
	// The file is rewritten: the bytes as typed are not even in its free
	// pages, nor in a backup taken now.
	if found := fileHolds(t, path); len(found) != 0 {
		t.Fatalf("after sealing the database file still holds %q", found)
	}
	backup := filepath.Join(dir, "backup.db")
	if err := db.BackupToFile(backup); err != nil {
		t.Fatal(err)
	}
	if found := fileHolds(t, backup); len(found) != 0 {
		t.Fatalf("a backup after sealing holds %q", found)
	}
	if in, _ := db.Installation(ctx); !reflect.DeepEqual(in, secretInstallation()) {
		t.Fatalf("after sealing: %+v", in)
	}
	if got, err := db.Session(ctx, sess.ID); err != nil || got.Worker.Name != sess.Worker.Name {
		t.Fatalf("session after the rewrite: %+v %v", got, err)
	}
	// The database is written and read as before, also after a reopen.
	if err := db.SaveInstallation(ctx, secretInstallation()); err != nil {
		t.Fatal(err)
	}
	db.Close()
	db = MustOpenPath(t, path)
	if err := db.UseKeyFile(ctx, filepath.Join(dir, "aw.key")); err != nil {
		t.Fatal(err)
	}
	if in, _ := db.Installation(ctx); !reflect.DeepEqual(in, secretInstallation()) {
		t.Fatalf("after a reopen: %+v", in)
	}
	db.Close()
	db = MustOpenPath(t, backup)
	if in, _ := db.Installation(ctx); in.Trunk.Password != "" || in.Connection.ARIPassword != "" || in.ExtensionPasswords["201"] != "" {
		t.Fatalf("the backup without the key still opens the secrets: %+v", in)
	}
	if s, _ := db.Settings(ctx); s.SIMPIN != "" {
		t.Fatalf("SIM PIN not sealed: %q", s.SIMPIN)
	}
}

// copyFile copies path into a new temporary folder (a backup restored).
func copyFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), filepath.Base(path))
	if err := os.WriteFile(out, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return out
}
