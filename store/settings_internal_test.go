package store

import (
	"context"
	"reflect"
	"testing"
	"time"

	aw "alleenwerken"

	bolt "go.etcd.io/bbolt"
)

// Settings stored before the loop pause existed read with its default; a
// pause of 0 (none) is kept as 0.
func TestSettingsLoopPause(t *testing.T) {
	ctx := context.Background()
	db, err := Open(t.TempDir()+"/aw.db", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	s := aw.DefaultSettings()
	s.LoopPause = 0
	if err := db.SaveSettings(ctx, s); err != nil {
		t.Fatal(err)
	}
	if got, _ := db.Settings(ctx); got.LoopPause != 0 {
		t.Fatalf("saved 0, read %v", got.LoopPause)
	}
	// A record as the first versions stored it: durations in nanoseconds
	// under "<key>_ns", no loop pause, no reminder of unhandled alarms.
	old := `{"fallback_number":"0612000009","admin_numbers":["0612000001"],"cancel_window_ns":20000000000,` +
		`"reminder_lead_ns":300000000000,"default_extension_ns":3600000000000,"ring_timeout_ns":25000000000,` +
		`"prompt_repeats":2,"ladder_loops":3,"repeat_interval_ns":600000000000,"simultaneous_calls":4,` +
		`"language":"en","time_zone":"Europe/Amsterdam","public_base_url":"https://aw.example",` +
		`"dial_template":"PJSIP/{e164}@trunk","extensions":[{"number":"201","name":"Portiersloge"}]}`
	if err := db.update(ctx, func(tx *bolt.Tx) error {
		return tx.Bucket(settingsBucket).Put(settingsKey, []byte(old))
	}); err != nil {
		t.Fatal(err)
	}
	got, err := db.Settings(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := aw.DefaultSettings()
	want.FallbackNumber, want.AdminNumbers = "0612000009", []string{"0612000001"}
	want.CancelWindow, want.RingTimeout, want.RepeatInterval = 20*time.Second, 25*time.Second, 10*time.Minute
	want.PromptRepeats, want.LadderLoops, want.Language, want.PublicBaseURL = 2, 3, "en", "https://aw.example"
	want.TrunkEndpoint = ""
	want.Extensions = []aw.Extension{{Number: "201", Name: "Portiersloge"}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("old record read as\n%+v\nwant\n%+v", got, want)
	}
	if got.LoopPause != 60*time.Second || got.UnhandledReminder != 30*time.Minute {
		t.Fatalf("settings added later: loop pause %v, unhandled reminder %v; want their defaults", got.LoopPause, got.UnhandledReminder)
	}
	// Saved again, it is in the new form and reads the same.
	if err := db.SaveSettings(ctx, got); err != nil {
		t.Fatal(err)
	}
	if err := want.Validate(); err != nil { // the numbers in E.164, as saved
		t.Fatal(err)
	}
	if again, _ := db.Settings(ctx); !reflect.DeepEqual(again, want) {
		t.Fatalf("after saving again: %+v", again)
	}
}
