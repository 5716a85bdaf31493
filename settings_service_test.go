package alleenwerken_test

import (
	"context"
	"sync"
	"testing"
	"time"

	aw "alleenwerken"
	"alleenwerken/cmd/testkit"
)

func TestSettingsServiceChange(t *testing.T) {
	ctx := context.Background()
	db := testkit.MustOpenDB(t)
	s := aw.NewSettingsService(db, aw.NewManualClock(t0), discardLog)
	by := aw.SocketActor("root")
	page := aw.PageSettings

	t.Run("OK", func(t *testing.T) {
		_, err := s.Change(ctx, by, page, map[string]string{"ring_timeout": "45", "cancel_window": "10",
			"dial_template": "PJSIP/{national}@x"}, nil)
		if err != nil {
			t.Fatal(err)
		}
		set, _ := db.Settings(ctx)
		if set.RingTimeout != 45*time.Second || set.DialTemplate != "PJSIP/{e164}@trunk" {
			t.Fatalf("ring %v, dial template %q (not on this page: unchanged)", set.RingTimeout, set.DialTemplate)
		}
		es, _ := db.AuditEntries(ctx, 0)
		if len(es) != 1 || es[0].Field != "ring_timeout" || es[0].Old != "30" || es[0].New != "45" || es[0].Actor != "socket:root" {
			t.Fatalf("audit = %+v", es)
		}
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		for key, v := range map[string]string{"ring_timeout": "0", "prompt_repeats": "veel", "fallback_number": "12"} {
			if _, err := s.Change(ctx, by, page, map[string]string{key: v}, nil); aw.ErrorField(err) != key {
				t.Errorf("%s = %q: %v, want a field error", key, v, err)
			}
		}
		if es, _ := db.AuditEntries(ctx, 0); len(es) != 1 {
			t.Fatalf("refused changes audited: %d entries", len(es))
		}
	})
	t.Run("ErrBefore", func(t *testing.T) {
		refuse := func(aw.Settings) error { return aw.FieldError("extensions", "nee") }
		if _, err := s.Change(ctx, by, aw.PageInstall, map[string]string{"extensions": "202, Receptie"}, refuse); aw.ErrorField(err) != "extensions" {
			t.Fatalf("before's refusal: %v", err)
		}
		if set, _ := db.Settings(ctx); len(set.Extensions) != 0 {
			t.Fatalf("stored although refused: %+v", set.Extensions)
		}
	})
}

// Two admins save different settings at the same moment (and an installer
// the SIM PIN): every change is kept, none overwrites another with the
// value it read before.
func TestSettingsChangedInParallel(t *testing.T) {
	ctx := context.Background()
	db := testkit.MustOpenDB(t)
	s := aw.NewSettingsService(db, aw.NewManualClock(t0), discardLog)
	inst := aw.NewInstallationService(db, aw.NewManualClock(t0), discardLog)
	changes := map[string]string{"ring_timeout": "41", "cancel_window": "12", "prompt_repeats": "5",
		"ladder_loops": "4", "default_extension": "90", "repeat_interval": "7", "simultaneous_calls": "9", "reminder_lead": "11"}
	var wg sync.WaitGroup
	for key, v := range changes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := s.Change(ctx, aw.SocketActor(key), aw.PageSettings, map[string]string{key: v}, nil); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		if err := inst.ChangeSIMPIN(ctx, aw.CLIActor("root"), "2468", false); err != nil {
			t.Error(err)
		}
	}()
	wg.Wait()
	set, _ := db.Settings(ctx)
	for key, want := range changes {
		d, _ := aw.SettingByKey(key)
		if got := d.Get(&set); got != want {
			t.Errorf("%s = %s, want %s (a parallel change overwrote it)", key, got, want)
		}
	}
	if set.SIMPIN != "2468" {
		t.Errorf("SIM PIN lost")
	}
}
