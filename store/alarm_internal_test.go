package store

import (
	"context"
	"encoding/json"
	"testing"

	aw "alleenwerken"

	bolt "go.etcd.io/bbolt"
)

// An alarm stored before ladders had steps (its ladder a list of numbers)
// reads back as one alarm-number step per number, called in every loop,
// and is written back with steps.
func TestAlarmLadderBeforeSteps(t *testing.T) {
	ctx := context.Background()
	db, err := Open(t.TempDir()+"/aw.db", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	a := &aw.Alarm{State: aw.AlarmEscalating, Loop: 1,
		Ladder: aw.NewLadder([]string{"+31612000001"}, "+31612000009")}
	if err := db.CreateAlarm(ctx, a); err != nil {
		t.Fatal(err)
	}
	// Rewrite it as an older version stored it.
	if err := db.update(ctx, func(tx *bolt.Tx) error {
		b := tx.Bucket(alarmsBucket)
		var raw map[string]any
		if err := json.Unmarshal(b.Get([]byte(a.ID)), &raw); err != nil {
			return err
		}
		delete(raw, "steps")
		raw["ladder"] = []string{"+31612000001", "+31612000009"}
		return putJSON(b, []byte(a.ID), raw)
	}); err != nil {
		t.Fatal(err)
	}
	got, err := db.Alarm(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Ladder) != 2 || got.Ladder[1].Number != "+31612000009" || got.Ladder[1].Kind != aw.StepAlarmNumber ||
		!got.Ladder[0].InLoop(2) || got.Ladder[0].Ring != 0 {
		t.Fatalf("ladder read back = %+v", got.Ladder)
	}
	// A write keeps the steps (the numbers only form is gone).
	if _, err := db.UpdateAlarm(ctx, a.ID, func(x *aw.Alarm) error { x.Step = 1; return nil }); err != nil {
		t.Fatal(err)
	}
	if err := db.view(ctx, func(tx *bolt.Tx) error {
		var rec alarmRecord
		if _, err := getJSON(tx.Bucket(alarmsBucket), []byte(a.ID), &rec); err != nil {
			return err
		}
		if len(rec.Steps) != 2 || len(rec.Ladder) != 0 {
			t.Fatalf("record after a write: steps %d, numbers %d", len(rec.Steps), len(rec.Ladder))
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}
