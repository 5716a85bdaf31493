package store_test

import (
	"context"
	"testing"
	"time"

	aw "alleenwerken"
	"alleenwerken/cmd/testkit"
)

func TestSettings(t *testing.T) {
	ctx := context.Background()

	t.Run("Default", func(t *testing.T) {
		db := testkit.MustOpenDB(t)
		s, err := db.Settings(ctx)
		if err != nil {
			t.Fatal(err)
		} else if s.CancelWindow != 10*time.Second || s.DialTemplate != aw.DefaultSettings().DialTemplate {
			t.Fatalf("not the defaults: %+v", s)
		}
	})

	t.Run("Seed", func(t *testing.T) {
		db := testkit.MustOpenDB(t)
		seed := aw.DefaultSettings()
		seed.FallbackNumber = "201"
		seed.Extensions = []aw.Extension{{Number: "201", Name: "Portiersloge"}}
		if ok, err := db.SeedSettings(ctx, seed); err != nil || !ok {
			t.Fatal(ok, err)
		}
		again := aw.DefaultSettings()
		again.RingTimeout = 45 * time.Second
		if ok, err := db.SeedSettings(ctx, again); err != nil || ok {
			t.Fatal("seeded twice", ok, err)
		}
		s, err := db.Settings(ctx)
		if err != nil {
			t.Fatal(err)
		} else if s.FallbackNumber != "201" || s.RingTimeout != 30*time.Second || len(s.Extensions) != 1 || s.Extensions[0].Name != "Portiersloge" {
			t.Fatalf("settings %+v", s)
		}
	})

	t.Run("Save", func(t *testing.T) {
		db := testkit.MustOpenDB(t)
		s := aw.DefaultSettings()
		s.RingTimeout = 45 * time.Second
		s.AdminNumbers = []string{"+31612345678"}
		if err := db.SaveSettings(ctx, s); err != nil {
			t.Fatal(err)
		}
		got, err := db.Settings(ctx)
		if err != nil {
			t.Fatal(err)
		} else if got.RingTimeout != 45*time.Second || len(got.AdminNumbers) != 1 {
			t.Fatalf("settings %+v", got)
		}
		if ok, _ := db.SeedSettings(ctx, aw.DefaultSettings()); ok {
			t.Fatal("seed overwrote saved settings")
		}
	})

	t.Run("ErrInvalid", func(t *testing.T) {
		db := testkit.MustOpenDB(t)
		s := aw.DefaultSettings()
		s.CancelWindow = 0
		err := db.SaveSettings(ctx, s)
		wantCode(t, err, aw.EINVALID)
		if got, want := aw.ErrorField(err), "cancel_window"; got != want {
			t.Fatalf("field %q, want %q", got, want)
		}
		if got, _ := db.Settings(ctx); got.CancelWindow != 10*time.Second {
			t.Fatal("invalid settings stored")
		}
	})
}
