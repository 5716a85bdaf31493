package httpapi_test

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestExtendSession(t *testing.T) {
	t.Run("Default", func(t *testing.T) {
		e := MustOpenEnv(t)
		s := e.MustStart()
		for i, body := range []any{nil, `{}`, map[string]any{"minutes": 0}} {
			resp := e.Do("POST", "/api/v1/sessions/"+s.ID+"/extend", body)
			if got, want := resp.Status, http.StatusOK; got != want {
				t.Fatalf("%d: status %d, want %d: %s", i, got, want, resp.Body)
			}
			want := t0.Add(time.Duration(2+i) * time.Hour).Format(time.RFC3339)
			if got := *resp.Session(t).ExpiresAt; got != want {
				t.Fatalf("%d: expires_at %q, want %q", i, got, want)
			}
		}
	})

	t.Run("Minutes", func(t *testing.T) {
		e := MustOpenEnv(t)
		s := e.MustStart()
		resp := e.Do("POST", "/api/v1/sessions/"+s.ID+"/extend", map[string]any{"minutes": 30})
		if got, want := resp.Status, http.StatusOK; got != want {
			t.Fatalf("status %d, want %d: %s", got, want, resp.Body)
		}
		g := resp.Session(t)
		if got, want := *g.ExpiresAt, "2026-11-26T13:30:00Z"; got != want {
			t.Fatalf("expires_at %q, want %q", got, want)
		}
		if got, want := *g.ReminderAt, "2026-11-26T13:25:00Z"; got != want {
			t.Fatalf("reminder_at %q, want %q", got, want)
		}
	})

	// Extensions do not add up beyond max_ahead (24 h): before, 61 × 1440
	// minutes pushed the end two months out.
	t.Run("ErrBeyondMaxAhead", func(t *testing.T) {
		e := MustOpenEnv(t)
		s := e.MustStart() // ends in 1 h
		resp := e.Do("POST", "/api/v1/sessions/"+s.ID+"/extend", map[string]any{"minutes": 1380})
		if resp.Status != http.StatusOK {
			t.Fatalf("to exactly 24 h ahead: %d %s", resp.Status, resp.Body)
		}
		resp = e.Do("POST", "/api/v1/sessions/"+s.ID+"/extend", map[string]any{"minutes": 1})
		if resp.Status != http.StatusUnprocessableEntity || resp.Error(t).Field != "minutes" || !strings.Contains(resp.Error(t).Message, "max_ahead") {
			t.Fatalf("beyond 24 h ahead: %d %s", resp.Status, resp.Body)
		}
		if got := *e.Do("GET", "/api/v1/sessions/"+s.ID, nil).Session(t).ExpiresAt; got != t0.Add(24*time.Hour).Format(time.RFC3339) {
			t.Fatalf("expires_at %s after a refused extension", got)
		}
	})

	t.Run("ErrInvalid", func(t *testing.T) {
		e := MustOpenEnv(t)
		s := e.MustStart()
		for _, m := range []int{-1, 1441} {
			resp := e.Do("POST", "/api/v1/sessions/"+s.ID+"/extend", map[string]any{"minutes": m})
			if got, want := resp.Status, http.StatusUnprocessableEntity; got != want {
				t.Fatalf("%d: status %d, want %d: %s", m, got, want, resp.Body)
			}
			if got, want := resp.Error(t).Field, "minutes"; got != want {
				t.Fatalf("field %q, want %q", got, want)
			}
		}
		resp := e.Do("POST", "/api/v1/sessions/"+s.ID+"/extend", `{"minutes": "veel"}`)
		if got, want := resp.Status, http.StatusBadRequest; got != want {
			t.Fatalf("status %d, want %d: %s", got, want, resp.Body)
		}
		resp = e.Do("POST", "/api/v1/sessions/"+s.ID+"/extend", `{"minutes": 1, "x": "`+strings.Repeat("x", 70000)+`"}`)
		if got, want := resp.Status, http.StatusRequestEntityTooLarge; got != want {
			t.Fatalf("status %d, want %d", got, want)
		}
	})

	t.Run("ErrNotActive", func(t *testing.T) {
		e := MustOpenEnv(t)
		s := e.MustStart()
		e.Do("POST", "/api/v1/sessions/"+s.ID+"/alarm", nil)
		resp := e.Do("POST", "/api/v1/sessions/"+s.ID+"/extend", nil)
		if got, want := resp.Status, http.StatusConflict; got != want {
			t.Fatalf("alarm_pending: status %d, want %d: %s", got, want, resp.Body)
		}
		e.Do("POST", "/api/v1/sessions/"+s.ID+"/stop", nil)
		resp = e.Do("POST", "/api/v1/sessions/"+s.ID+"/extend", nil)
		if got, want := resp.Status, http.StatusConflict; got != want {
			t.Fatalf("stopped: status %d, want %d: %s", got, want, resp.Body)
		}
		if got, want := resp.Error(t).Code, "conflict"; got != want {
			t.Fatalf("code %q, want %q", got, want)
		}
	})

	t.Run("ErrNotFound", func(t *testing.T) {
		e := MustOpenEnv(t)
		if got, want := e.Do("POST", "/api/v1/sessions/nope/extend", nil).Status, http.StatusNotFound; got != want {
			t.Fatalf("status %d, want %d", got, want)
		}
	})
}

func TestStopSession(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		e := MustOpenEnv(t)
		s := e.MustStart()
		resp := e.Do("POST", "/api/v1/sessions/"+s.ID+"/stop", nil)
		if got, want := resp.Status, http.StatusOK; got != want {
			t.Fatalf("status %d, want %d: %s", got, want, resp.Body)
		}
		g := resp.Session(t)
		if got, want := g.State, "stopped"; got != want {
			t.Fatalf("state %q, want %q", got, want)
		}
		if got, want := g.Worker.Name, "Laura van Dijk"; got != want {
			t.Fatalf("worker.name %q, want %q", got, want)
		}
		// Afterwards only the purged stub is left.
		after := e.Do("GET", "/api/v1/sessions/"+s.ID, nil)
		if got, want := after.Status, http.StatusOK; got != want {
			t.Fatalf("get: status %d, want %d: %s", got, want, after.Body)
		}
		m := after.JSON(t)
		if got, want := m["state"], "stopped"; got != want {
			t.Fatalf("state %v, want %v", got, want)
		}
		if _, ok := m["description"]; ok {
			t.Fatalf("personal data shown after stop: %s", after.Body)
		}
		// A new session may start now.
		e.MustStart()
	})

	t.Run("ErrTwice", func(t *testing.T) {
		e := MustOpenEnv(t)
		s := e.MustStart()
		e.Do("POST", "/api/v1/sessions/"+s.ID+"/stop", nil)
		resp := e.Do("POST", "/api/v1/sessions/"+s.ID+"/stop", nil)
		if got, want := resp.Status, http.StatusConflict; got != want {
			t.Fatalf("status %d, want %d: %s", got, want, resp.Body)
		}
		if got, want := resp.Error(t).Code, "conflict"; got != want {
			t.Fatalf("code %q, want %q", got, want)
		}
	})

	t.Run("CancelsPendingAlarm", func(t *testing.T) {
		e := MustOpenEnv(t)
		s := e.MustStart()
		e.Do("POST", "/api/v1/sessions/"+s.ID+"/alarm", nil)
		if got, want := e.Do("POST", "/api/v1/sessions/"+s.ID+"/stop", nil).Session(t).State, "stopped"; got != want {
			t.Fatalf("state %q, want %q", got, want)
		}
		e.Clock.Advance(time.Minute)
		if got, want := e.Do("GET", "/api/v1/sessions/"+s.ID, nil).Session(t).State, "stopped"; got != want {
			t.Fatalf("after the window: state %q, want %q", got, want)
		}
	})

	t.Run("ErrNotFound", func(t *testing.T) {
		e := MustOpenEnv(t)
		if got, want := e.Do("POST", "/api/v1/sessions/nope/stop", nil).Status, http.StatusNotFound; got != want {
			t.Fatalf("status %d, want %d", got, want)
		}
	})
}
