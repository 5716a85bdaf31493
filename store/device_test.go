package store_test

import (
	"bytes"
	"context"
	"os"
	"testing"

	aw "alleenwerken"
	"alleenwerken/cmd/testkit"
)

func TestDevice(t *testing.T) {
	ctx := context.Background()

	t.Run("OK", func(t *testing.T) {
		db := testkit.MustOpenDB(t)
		token, hash := aw.NewToken("aw_")
		d := &aw.Device{Name: "Telefoon Jan", TokenHash: hash, CreatedAt: t0}
		if err := db.CreateDevice(ctx, d); err != nil {
			t.Fatal(err)
		}
		got, err := db.AuthenticateDevice(ctx, token)
		if err != nil {
			t.Fatal(err)
		} else if got.ID != d.ID || got.Name != "Telefoon Jan" || !bytes.Equal(got.TokenHash, hash) {
			t.Fatalf("device %+v", got)
		}
		list, err := db.Devices(ctx)
		if err != nil || len(list) != 1 {
			t.Fatal(list, err)
		}
	})

	t.Run("ErrUnknown", func(t *testing.T) {
		db := testkit.MustOpenDB(t)
		_, err := db.AuthenticateDevice(ctx, "aw_nonsense")
		wantCode(t, err, aw.EUNAUTHORIZED)
		wantCode(t, db.CreateDevice(ctx, &aw.Device{Name: "geen hash"}), aw.EINVALID)
	})

	t.Run("ErrRevoked", func(t *testing.T) {
		db := testkit.MustOpenDB(t)
		token, hash := aw.NewToken("aw_")
		d := &aw.Device{Name: "Telefoon Jan", TokenHash: hash, CreatedAt: t0}
		if err := db.CreateDevice(ctx, d); err != nil {
			t.Fatal(err)
		}
		if err := db.RevokeDevice(ctx, d.ID, t0); err != nil {
			t.Fatal(err)
		}
		_, err := db.AuthenticateDevice(ctx, token)
		wantCode(t, err, aw.EUNAUTHORIZED)
		wantCode(t, db.RevokeDevice(ctx, "nope", t0), aw.ENOTFOUND)
		if list, _ := db.Devices(ctx); len(list) != 1 || list[0].RevokedAt == nil || !list[0].RevokedAt.Equal(t0) {
			t.Fatal("revocation not stored")
		}
	})

	t.Run("NoPlaintextTokenInFile", func(t *testing.T) {
		db := testkit.MustOpenDB(t)
		token, hash := aw.NewToken("aw_")
		if err := db.CreateDevice(ctx, &aw.Device{Name: "x", TokenHash: hash, CreatedAt: t0}); err != nil {
			t.Fatal(err)
		}
		if _, err := db.AuthenticateDevice(ctx, token); err != nil {
			t.Fatal(err)
		}
		raw, err := os.ReadFile(db.Path())
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(raw, []byte(token)) || bytes.Contains(raw, []byte(token[3:])) {
			t.Fatal("plaintext token found in the database file")
		}
		if !bytes.Contains(raw, hash) {
			t.Fatal("token hash (index key) not found in the database file")
		}
	})
}
