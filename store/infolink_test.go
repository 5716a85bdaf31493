package store_test

import (
	"context"
	"testing"
	"time"

	aw "alleenwerken"
	"alleenwerken/cmd/testkit"
)

func TestAlarmByInfoToken(t *testing.T) {
	ctx := context.Background()
	db := testkit.MustOpenDB(t)
	s := mustCreateSession(t, db, newSession("dev1"))
	a := &aw.Alarm{SessionID: s.ID, State: aw.AlarmEscalating, RaisedAt: t0, AccessCode: "4217"}
	tok := a.NewInfoToken(t0)
	if err := db.CreateAlarm(ctx, a); err != nil {
		t.Fatal(err)
	}
	other := &aw.Alarm{State: aw.AlarmEscalating, RaisedAt: t0}
	other.NewInfoToken(t0)
	if err := db.CreateAlarm(ctx, other); err != nil {
		t.Fatal(err)
	}

	t.Run("OK", func(t *testing.T) {
		got, err := db.AlarmByInfoToken(ctx, tok, t0.Add(23*time.Hour))
		if err != nil {
			t.Fatal(err)
		} else if got.ID != a.ID {
			t.Fatalf("alarm %s, want %s", got.ID, a.ID)
		}
	})
	t.Run("ErrExpired", func(t *testing.T) {
		_, err := db.AlarmByInfoToken(ctx, tok, t0.Add(aw.InfoTokenTTL))
		wantCode(t, err, aw.EUNAUTHORIZED)
	})
	t.Run("ErrUnknown", func(t *testing.T) {
		_, err := db.AlarmByInfoToken(ctx, tok+"x", t0)
		wantCode(t, err, aw.EUNAUTHORIZED)
		_, err = db.AlarmByInfoToken(ctx, "", t0)
		wantCode(t, err, aw.EUNAUTHORIZED)
	})
}
