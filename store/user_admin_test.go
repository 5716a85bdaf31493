package store_test

import (
	"context"
	"testing"

	aw "alleenwerken"
	"alleenwerken/cmd/testkit"
)

func TestUpdateUser(t *testing.T) {
	ctx := context.Background()
	db := testkit.MustOpenDB(t)
	u := &aw.User{Name: "jan", Role: aw.RoleResponder, PasswordHash: []byte("x"), CreatedAt: t0}
	if err := db.CreateUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	t.Run("OK", func(t *testing.T) {
		now := t0
		got, err := db.UpdateUser(ctx, u.ID, func(x *aw.User) error {
			x.Name, x.Role, x.PasswordHash, x.DisabledAt = "piet", aw.RoleInstaller, []byte("y"), &now
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if got.Name != "jan" || got.Role != aw.RoleInstaller || string(got.PasswordHash) != "y" || got.DisabledAt == nil {
			t.Fatalf("user %+v", got)
		}
		again, err := db.UserByID(ctx, u.ID)
		if err != nil || again.Role != aw.RoleInstaller || again.DisabledAt == nil {
			t.Fatal(again, err)
		}
		byName, err := db.UserByName(ctx, "jan")
		if err != nil || byName.ID != u.ID {
			t.Fatal(byName, err)
		}
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		_, err := db.UpdateUser(ctx, "nope", func(*aw.User) error { return nil })
		wantCode(t, err, aw.ENOTFOUND)
		_, err = db.UserByID(ctx, "nope")
		wantCode(t, err, aw.ENOTFOUND)
	})
}
