package store_test

import (
	"context"
	"encoding/binary"
	"testing"
	"time"

	aw "alleenwerken"
	"alleenwerken/cmd/testkit"
	"alleenwerken/store"

	bolt "go.etcd.io/bbolt"
)

func TestDB_Reopen(t *testing.T) {
	ctx := context.Background()
	path := t.TempDir() + "/aw.db"
	db := MustOpenPath(t, path)

	s, _, err := db.CreateSession(ctx, newSession("dev1"), "key-1", t0)
	if err != nil {
		t.Fatal(err)
	}
	a := newAlarm(s.ID)
	if err := db.CreateAlarm(ctx, a); err != nil {
		t.Fatal(err)
	}
	token, hash := aw.NewToken("aw_")
	if err := db.CreateDevice(ctx, &aw.Device{Name: "x", TokenHash: hash, CreatedAt: t0}); err != nil {
		t.Fatal(err)
	}
	set := aw.DefaultSettings()
	set.LadderLoops = 3
	if err := db.SaveSettings(ctx, set); err != nil {
		t.Fatal(err)
	}
	if err := db.CreateUser(ctx, &aw.User{Name: "beheer"}); err != nil {
		t.Fatal(err)
	}
	m := mustEnqueue(t, db, aw.SMSAlarm, s.ID, t0)
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	db = MustOpenPath(t, path)
	if got, err := db.Session(ctx, s.ID); err != nil || got.State != aw.SessionAlarm || got.AlarmID != a.ID {
		t.Fatalf("session after reopen: %+v %v", got, err)
	}
	if got, err := db.AlarmByNumber(ctx, 101); err != nil || got.ID != a.ID {
		t.Fatalf("alarm after reopen: %v", err)
	}
	if open, _ := db.OpenAlarms(ctx); len(open) != 1 {
		t.Fatal("open alarm index lost")
	}
	if open, _ := db.OpenSessions(ctx); len(open) != 1 {
		t.Fatal("open session index lost")
	}
	if _, created, err := db.CreateSession(ctx, newSession("dev1"), "key-1", t0.Add(time.Hour)); err != nil || created {
		t.Fatalf("idempotency record lost: %v %v", created, err)
	}
	if _, err := db.AuthenticateDevice(ctx, token); err != nil {
		t.Fatal(err)
	}
	if got, _ := db.Settings(ctx); got.LadderLoops != 3 {
		t.Fatal("settings lost")
	}
	if _, err := db.UserByName(ctx, "beheer"); err != nil {
		t.Fatal(err)
	}
	if got, err := db.ClaimSMS(ctx, t0, "modem0"); err != nil || got == nil || got.ID != m.ID {
		t.Fatalf("queued SMS lost: %v %v", got, err)
	}
}

func TestDB_SchemaVersion(t *testing.T) {
	path := t.TempDir() + "/aw.db"
	db := MustOpenPath(t, path)
	db.Close()

	bdb, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = bdb.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket([]byte("meta"))
		if b == nil {
			t.Fatal("no meta bucket")
		}
		v := b.Get([]byte("schema_version"))
		if got, want := binary.BigEndian.Uint64(v), uint64(store.SchemaVersion); got != want {
			t.Fatalf("schema version %d, want %d", got, want)
		}
		return b.Put([]byte("schema_version"), binary.BigEndian.AppendUint64(nil, store.SchemaVersion+1))
	})
	if err != nil {
		t.Fatal(err)
	}
	bdb.Close()

	if db, err := store.Open(path, nil); err == nil {
		db.Close()
		t.Fatal("opened a file with a newer schema")
	} else {
		wantContains(t, err, "schemaversie 2 is nieuwer")
	}
}

func TestDB_Locked(t *testing.T) {
	if testing.Short() {
		t.Skip("waits for the open timeout")
	}
	db := testkit.MustOpenDB(t)
	start := time.Now()
	_, err := store.Open(db.Path(), nil)
	if err == nil {
		t.Fatal("second open succeeded")
	}
	wantContains(t, err, "in gebruik door een ander proces")
	if d := time.Since(start); d > store.OpenTimeout+2*time.Second {
		t.Fatalf("second open took %s", d)
	}
}

func TestDB_Health(t *testing.T) {
	ctx := context.Background()
	db := testkit.MustOpenDB(t)
	if got := db.Health(); got.State != aw.HealthOK {
		t.Fatalf("health %+v", got)
	}
	db.Close()
	if got := db.Health(); got.State != aw.HealthDown || got.Reason == "" {
		t.Fatalf("health after close %+v", got)
	}
	_, _, err := db.CreateSession(ctx, newSession("dev1"), "", t0)
	wantCode(t, err, aw.EUNAVAILABLE)
	wantCode(t, db.EnqueueSMS(ctx, &aw.SMS{Kind: aw.SMSAlarm}), aw.EUNAVAILABLE)
	_, err = db.Session(ctx, "x")
	wantCode(t, err, aw.EUNAVAILABLE)
}
