package store_test

import (
	"context"
	"testing"

	aw "alleenwerken"
	"alleenwerken/cmd/testkit"
)

func TestUser(t *testing.T) {
	ctx := context.Background()

	t.Run("OK", func(t *testing.T) {
		db := testkit.MustOpenDB(t)
		u := &aw.User{Name: "beheer", Role: aw.RoleSuperAdmin, PasswordHash: []byte("$2a$10$abc"), CreatedAt: t0}
		if err := db.CreateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
		got, err := db.UserByName(ctx, "beheer")
		if err != nil {
			t.Fatal(err)
		} else if got.ID != u.ID || got.Role != aw.RoleSuperAdmin || string(got.PasswordHash) != "$2a$10$abc" {
			t.Fatalf("user %+v", got)
		}
		if err := db.CreateUser(ctx, &aw.User{Name: "aaron", Role: aw.RoleResponder}); err != nil {
			t.Fatal(err)
		}
		list, err := db.Users(ctx)
		if err != nil || len(list) != 2 || list[0].Name != "aaron" {
			t.Fatal(list, err)
		}
	})

	t.Run("ErrDuplicate", func(t *testing.T) {
		db := testkit.MustOpenDB(t)
		if err := db.CreateUser(ctx, &aw.User{Name: "beheer"}); err != nil {
			t.Fatal(err)
		}
		wantCode(t, db.CreateUser(ctx, &aw.User{Name: "beheer"}), aw.ECONFLICT)
		_, err := db.UserByName(ctx, "niemand")
		wantCode(t, err, aw.ENOTFOUND)
	})
}
