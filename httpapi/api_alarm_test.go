package httpapi_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	aw "alleenwerken"
)

func TestPressAlarm(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		e := MustOpenEnv(t)
		s := e.MustStart()
		resp := e.Do("POST", "/api/v1/sessions/"+s.ID+"/alarm", nil)
		if got, want := resp.Status, http.StatusAccepted; got != want {
			t.Fatalf("status %d, want %d: %s", got, want, resp.Body)
		}
		g := resp.Session(t)
		if got, want := g.State, "alarm_pending"; got != want {
			t.Fatalf("state %q, want %q", got, want)
		}
		if g.AlarmFiresAt == nil {
			t.Fatalf("no alarm_fires_at: %s", resp.Body)
		}
		if got, want := *g.AlarmFiresAt, "2026-11-26T12:00:10Z"; got != want {
			t.Fatalf("alarm_fires_at %q, want %q", got, want)
		}

		// A second press inside the window changes nothing.
		e.Clock.Advance(3 * time.Second)
		again := e.Do("POST", "/api/v1/sessions/"+s.ID+"/alarm", nil)
		if got, want := again.Status, http.StatusAccepted; got != want {
			t.Fatalf("status %d, want %d: %s", got, want, again.Body)
		}
		if got, want := *again.Session(t).AlarmFiresAt, "2026-11-26T12:00:10Z"; got != want {
			t.Fatalf("second press: alarm_fires_at %q, want %q", got, want)
		}
	})

	t.Run("CancelInsideWindow", func(t *testing.T) {
		e := MustOpenEnv(t)
		s := e.MustStart()
		e.Do("POST", "/api/v1/sessions/"+s.ID+"/alarm", nil)
		e.Clock.Advance(5 * time.Second)
		resp := e.Do("POST", "/api/v1/sessions/"+s.ID+"/alarm/cancel", nil)
		if got, want := resp.Status, http.StatusOK; got != want {
			t.Fatalf("status %d, want %d: %s", got, want, resp.Body)
		}
		g := resp.Session(t)
		if got, want := g.State, "active"; got != want {
			t.Fatalf("state %q, want %q", got, want)
		}
		if g.AlarmFiresAt != nil {
			t.Fatalf("alarm_fires_at %q after cancel", *g.AlarmFiresAt)
		}
		// The window passes: nothing fires.
		e.Clock.Advance(time.Minute)
		if got, want := e.Do("GET", "/api/v1/sessions/"+s.ID, nil).Session(t).State, "active"; got != want {
			t.Fatalf("state %q, want %q", got, want)
		}
	})

	t.Run("ErrCancelAfterWindow", func(t *testing.T) {
		e := MustOpenEnv(t)
		s := e.MustStart()
		e.Do("POST", "/api/v1/sessions/"+s.ID+"/alarm", nil)
		e.Clock.Advance(11 * time.Second)
		resp := e.Do("POST", "/api/v1/sessions/"+s.ID+"/alarm/cancel", nil)
		if got, want := resp.Status, http.StatusConflict; got != want {
			t.Fatalf("status %d, want %d: %s", got, want, resp.Body)
		}
		if got, want := resp.Error(t).Code, "conflict"; got != want {
			t.Fatalf("code %q, want %q", got, want)
		}

		// The alarm fires and escalates; the app sees it.
		g := e.waitState(s.ID, "alarm")
		if g.Alarm == nil {
			t.Fatal("no alarm in state alarm")
		}
		if g.Alarm.Number == 0 {
			t.Fatal("alarm without report number")
		}
		if got, want := g.Alarm.State, "escalating"; got != want {
			t.Fatalf("alarm.state %q, want %q", got, want)
		}
		if g.Alarm.AcceptedBy != nil {
			t.Fatalf("accepted_by %q, want null", *g.Alarm.AcceptedBy)
		}
		if g.AlarmFiresAt != nil {
			t.Fatal("alarm_fires_at shown outside alarm_pending")
		}

		// In alarm only a responder ends it: stop, extend and cancel are 409;
		// pressing again changes nothing.
		for _, path := range []string{"/stop", "/extend", "/alarm/cancel"} {
			if got, want := e.Do("POST", "/api/v1/sessions/"+s.ID+path, nil).Status, http.StatusConflict; got != want {
				t.Fatalf("%s in alarm: status %d, want %d", path, got, want)
			}
		}
		if got, want := e.Do("POST", "/api/v1/sessions/"+s.ID+"/alarm", nil).Session(t).State, "alarm"; got != want {
			t.Fatalf("press in alarm: state %q, want %q", got, want)
		}

		// Someone accepts: the app shows who.
		stored, err := e.DB.Session(context.Background(), s.ID)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.DB.UpdateAlarm(context.Background(), stored.AlarmID, func(a *aw.Alarm) error {
			a.State, a.AcceptedBy = aw.AlarmAccepted, "+31650929952"
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		g = e.Do("GET", "/api/v1/sessions/"+s.ID, nil).Session(t)
		if got, want := g.Alarm.State, "accepted"; got != want {
			t.Fatalf("alarm.state %q, want %q", got, want)
		}
		if g.Alarm.AcceptedBy == nil || *g.Alarm.AcceptedBy != "+31650929952" {
			t.Fatalf("accepted_by %v, want +31650929952", g.Alarm.AcceptedBy)
		}

		// A responder handles it: the session is stopped, the alarm handled.
		if _, err := e.Svc.HandleAlarm(context.Background(), stored.AlarmID, "portier", "alles goed"); err != nil {
			t.Fatal(err)
		}
		g = e.Do("GET", "/api/v1/sessions/"+s.ID, nil).Session(t)
		if got, want := g.State, "stopped"; got != want {
			t.Fatalf("state %q, want %q", got, want)
		}
		if g.Alarm == nil || g.Alarm.State != "handled" {
			t.Fatalf("alarm %+v, want handled", g.Alarm)
		}
		// The device may start again.
		e.MustStart()
	})

	t.Run("ErrCancelWithoutAlarm", func(t *testing.T) {
		e := MustOpenEnv(t)
		s := e.MustStart()
		if got, want := e.Do("POST", "/api/v1/sessions/"+s.ID+"/alarm/cancel", nil).Status, http.StatusConflict; got != want {
			t.Fatalf("status %d, want %d", got, want)
		}
	})

	t.Run("ErrStopped", func(t *testing.T) {
		e := MustOpenEnv(t)
		s := e.MustStart()
		e.Do("POST", "/api/v1/sessions/"+s.ID+"/stop", nil)
		if got, want := e.Do("POST", "/api/v1/sessions/"+s.ID+"/alarm", nil).Status, http.StatusConflict; got != want {
			t.Fatalf("status %d, want %d", got, want)
		}
	})

	t.Run("ErrNotFound", func(t *testing.T) {
		e := MustOpenEnv(t)
		for _, path := range []string{"/api/v1/sessions/nope/alarm", "/api/v1/sessions/nope/alarm/cancel"} {
			if got, want := e.Do("POST", path, nil).Status, http.StatusNotFound; got != want {
				t.Fatalf("%s: status %d, want %d", path, got, want)
			}
		}
	})
}

// waitState polls the session until it reaches state: timers fire on the
// service's own goroutine.
func (e *Env) waitState(id, state string) SessionBody {
	e.tb.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		s := e.Do("GET", "/api/v1/sessions/"+id, nil).Session(e.tb)
		if s.State == state {
			return s
		}
		if time.Now().After(deadline) {
			e.tb.Fatalf("session %s: state %q, want %q", id, s.State, state)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
