package store_test

import (
	"context"
	"path/filepath"
	"reflect"
	"testing"

	aw "alleenwerken"
	"alleenwerken/store"
)

// The installation survives a reopen of the file, and an invalid connection
// is refused with its field.
func TestInstallation(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "aw.db")
	db, err := store.Open(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if in, err := db.Installation(ctx); err != nil || in.Trunk != nil || in.Connection != nil || len(in.ExtensionPasswords) != 0 {
		t.Fatalf("not empty: %+v %v", in, err)
	}
	want := aw.Installation{
		Trunk:              &aw.Trunk{Host: "sip.example.nl", User: "0301234567", Password: "pw-trunk"},
		ExtensionPasswords: map[string]string{"201": "pw-201"},
		Connection: &aw.Connection{ARIURL: "http://127.0.0.1:8088/ari", ARIUser: "aw", ARIPassword: "pw-ari",
			ARIApp: "alleenwerken", ModemPorts: []string{"/dev/alleenwerken-modem"}},
	}
	if err := db.SaveInstallation(ctx, want); err != nil {
		t.Fatal(err)
	}
	bad := want
	bad.Connection = &aw.Connection{ARIURL: "ftp://x", ARIApp: "a", ModemPorts: []string{"/dev/x"}}
	if err := db.SaveInstallation(ctx, bad); aw.ErrorField(err) != "ari_url" {
		t.Fatalf("invalid connection: %v", err)
	}
	db.Close()
	db, err = store.Open(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	got, err := db.Installation(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("after reopen\n got %+v\nwant %+v", got, want)
	}
}
