package store_test

import (
	"context"
	"testing"
	"time"

	"alleenwerken"
)

func TestAlarmByInfoToken(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDB(t)
	s := mustCreateSession(t, db, newSession("dev1"))
	a := &alleenwerken.Alarm{SessionID: s.ID, State: alleenwerken.AlarmEscalating, RaisedAt: t0, AccessCode: "4217"}
	tok := a.NewInfoToken(t0)
	if err := db.CreateAlarm(ctx, a); err != nil {
		t.Fatal(err)
	}
	other := &alleenwerken.Alarm{State: alleenwerken.AlarmEscalating, RaisedAt: t0}
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
		_, err := db.AlarmByInfoToken(ctx, tok, t0.Add(alleenwerken.InfoTokenTTL))
		wantCode(t, err, alleenwerken.EUNAUTHORIZED)
	})
	t.Run("ErrUnknown", func(t *testing.T) {
		_, err := db.AlarmByInfoToken(ctx, tok+"x", t0)
		wantCode(t, err, alleenwerken.EUNAUTHORIZED)
		_, err = db.AlarmByInfoToken(ctx, "", t0)
		wantCode(t, err, alleenwerken.EUNAUTHORIZED)
	})
}
