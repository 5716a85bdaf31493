package store_test

import (
	"context"
	"testing"
	"time"

	aw "alleenwerken"
	"alleenwerken/cmd/testkit"
)

func TestAudit(t *testing.T) {
	ctx := context.Background()
	t.Run("Empty", func(t *testing.T) {
		db := testkit.MustOpenDB(t)
		got, err := db.AuditEntries(ctx, 0)
		if err != nil || len(got) != 0 {
			t.Fatal(got, err)
		}
	})
	t.Run("NewestFirst", func(t *testing.T) {
		db := testkit.MustOpenDB(t)
		for i, a := range []string{aw.AuditLogin, aw.AuditSettingChanged, aw.AuditLogout} {
			e := &aw.AuditEntry{At: t0.Add(time.Duration(i) * time.Minute), Actor: "beheer", Action: a, Field: "fallback_number", Old: "1", New: "2"}
			if err := db.AppendAudit(ctx, e); err != nil {
				t.Fatal(err)
			} else if got, want := e.ID, uint64(i+1); got != want {
				t.Fatalf("id %d, want %d", got, want)
			}
		}
		got, err := db.AuditEntries(ctx, 2)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 || got[0].Action != aw.AuditLogout || got[1].Action != aw.AuditSettingChanged {
			t.Fatalf("entries %+v", got)
		}
		if e := got[1]; e.Old != "1" || e.New != "2" || e.Actor != "beheer" || !e.At.Equal(t0.Add(time.Minute)) {
			t.Fatalf("entry %+v", e)
		}
	})
}
