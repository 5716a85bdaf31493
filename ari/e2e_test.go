package ari_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	aw "alleenwerken"
	"alleenwerken/ari"
	"alleenwerken/httpapi"
	"alleenwerken/store"
)

// e2e is the real service and HTTP API over a real store, calling through
// the real Asterisk of the test bed.
type e2e struct {
	t     *testing.T
	db    *store.DB
	tel   *ari.Telephony
	calls *callLog // the service calls through it
	svc   *aw.Service
	http  *httptest.Server
	token string
}

func openE2E(t *testing.T, edit func(*aw.Settings), cfgEdit ...func(*ari.Config)) *e2e {
	t.Helper()
	logger := testLogger(t)
	db, err := store.Open(filepath.Join(t.TempDir(), "aw.db"), logger)
	if err != nil {
		t.Fatal(err)
	}
	set := aw.DefaultSettings()
	set.Extensions = []aw.Extension{{Number: "201", Name: "Portiersloge"}}
	set.CancelWindow = time.Second
	set.RingTimeout = 3 * time.Second
	set.PromptRepeats = 1
	set.RepeatInterval = time.Hour
	set.CallerID = "+31301234567"
	set.DialTemplate = "PJSIP/{e164}@trunk"
	edit(&set)
	if err := set.Validate(); err != nil {
		t.Fatal(err)
	}
	if err := db.SaveSettings(context.Background(), set); err != nil {
		t.Fatal(err)
	}
	cfg := testConfig("e2e")
	cfg.DialTemplate, cfg.MaxCalls = set.DialTemplate, set.SimultaneousCall
	for _, f := range cfgEdit {
		f(&cfg)
	}
	tel := MustOpen(t, cfg)
	calls := newCallLog(tel)
	svc := aw.NewService(db, calls, aw.SystemClock{}, logger)
	if err := svc.Open(context.Background()); err != nil {
		t.Fatal(err)
	}
	srv := httpapi.NewServer(httpapi.Config{
		Sessions: svc, Devices: db, Logger: logger,
		Health: map[string]aw.HealthReporter{"storage": db, "telephony": tel},
	})
	e := &e2e{t: t, db: db, tel: tel, calls: calls, svc: svc, http: httptest.NewServer(srv.Handler())}
	t.Cleanup(func() {
		e.http.Close()
		svc.Close()
		tel.Close()
		db.Close()
	})
	token, hash := aw.NewToken("aw_")
	if err := db.CreateDevice(context.Background(), &aw.Device{Name: "Telefoon Laura", TokenHash: hash, CreatedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	e.token = token
	return e
}

func (e *e2e) do(method, path string, body any) map[string]any {
	e.t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, e.http.URL+path, rd)
	req.Header.Set("Authorization", "Bearer "+e.token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	var m map[string]any
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode >= 300 {
		e.t.Fatalf("%s %s: %d %s", method, path, resp.StatusCode, b)
	}
	json.Unmarshal(b, &m)
	return m
}

// pressAlarm starts a session with these alarm numbers and presses Alarm; it
// returns the session id.
func (e *e2e) pressAlarm(numbers []string) string {
	e.t.Helper()
	s := e.do("POST", "/api/v1/sessions", map[string]any{
		"worker":           map[string]any{"name": "Laura van Dijk", "phone": "0617782201"},
		"alarm_numbers":    numbers,
		"duration_minutes": 60,
		"description":      "meterkast tweede verdieping",
	})
	id, _ := s["id"].(string)
	e.do("POST", "/api/v1/sessions/"+id+"/alarm", nil)
	return id
}

// storedAlarm returns the stored alarm of a session, or nil.
func (e *e2e) storedAlarm(sessionID string) *aw.Alarm {
	e.t.Helper()
	alarms, err := e.db.Alarms(context.Background(), 10)
	if err != nil {
		e.t.Fatal(err)
	}
	for _, al := range alarms {
		if al.SessionID == sessionID {
			return al
		}
	}
	return nil
}

// alarmRaised starts a session with these alarm numbers, presses Alarm and
// waits until the alarm's state is one of want; it returns the stored alarm.
func (e *e2e) alarmRaised(numbers []string, want ...string) *aw.Alarm {
	e.t.Helper()
	return e.waitAlarm(e.pressAlarm(numbers), want...)
}

// waitAlarm waits until the session's alarm is in one of the states want.
func (e *e2e) waitAlarm(id string, want ...string) *aw.Alarm {
	e.t.Helper()
	var s map[string]any
	deadline := time.Now().Add(3 * time.Minute)
	for time.Now().Before(deadline) {
		s = e.do("GET", "/api/v1/sessions/"+id, nil)
		if a, ok := s["alarm"].(map[string]any); ok {
			for _, w := range want {
				if a["state"] == w {
					if al := e.storedAlarm(id); al != nil {
						return al
					}
					e.t.Fatalf("alarm of session %s not in the store", id)
				}
			}
		}
		time.Sleep(250 * time.Millisecond)
	}
	e.t.Fatalf("alarm of session %s not %v in time: %v", id, want, s)
	return nil
}

func attemptsString(a *aw.Alarm) string {
	var b strings.Builder
	for _, at := range a.Attempts {
		fmt.Fprintf(&b, "%d.%d %s %s cause %d %s %q\n", at.Loop, at.Step+1, at.Number, at.Outcome, at.Cause, at.SIPDetail, at.Digits)
	}
	return b.String()
}

func checkLadder(t *testing.T, a *aw.Alarm, want [][2]string) {
	t.Helper()
	t.Logf("alarm #%d %s\n%s", a.Number, a.State, attemptsString(a))
	if len(a.Attempts) != len(want) {
		t.Fatalf("%d attempts, want %d", len(a.Attempts), len(want))
	}
	for i, w := range want {
		at := a.Attempts[i]
		if at.Number != w[0] || string(at.Outcome) != w[1] {
			t.Fatalf("attempt %d: %s %s, want %s %s", i+1, at.Number, at.Outcome, w[0], w[1])
		}
	}
}

// Alarm through the app API: busy, declined, no answer, then the fallback,
// the desk phone 201, accepts.
func TestEndToEndFallbackDeskPhone(t *testing.T) {
	needBed(t)
	callerID := fmt.Sprintf("+3130%07d", time.Now().UnixNano()%1e7)
	e := openE2E(t, func(s *aw.Settings) { s.FallbackNumber = "201"; s.CallerID = callerID })
	a := e.alarmRaised([]string{"0612345105", "0612345106", "0612345107"}, "accepted")
	if at, err := inviteTime(bedState+"/sipp-05.msg", callerID); err != nil {
		t.Error(err)
	} else {
		t.Logf("alarm fired to first INVITE at the SIPp phone: %v", at.Sub(a.RaisedAt).Round(100*time.Microsecond))
	}
	checkLadder(t, a, [][2]string{
		{"+31612345105", "busy"}, {"+31612345106", "declined"}, {"+31612345107", "no_answer"}, {"201", "accepted"},
	})
	if a.AcceptedBy != "201" || a.Attempts[0].Cause != 17 || a.Attempts[1].Cause != 21 {
		t.Fatalf("accepted by %q, causes %d %d", a.AcceptedBy, a.Attempts[0].Cause, a.Attempts[1].Cause)
	}
}

// Nobody accepts: two loops of the whole ladder, then unanswered.
func TestEndToEndTwoLoops(t *testing.T) {
	needBed(t)
	e := openE2E(t, func(s *aw.Settings) { s.FallbackNumber = "0612345107"; s.LadderLoops = 2 })
	a := e.alarmRaised([]string{"0612345105", "0612345106"}, "unanswered")
	checkLadder(t, a, [][2]string{
		{"+31612345105", "busy"}, {"+31612345106", "declined"}, {"+31612345107", "no_answer"},
		{"+31612345105", "busy"}, {"+31612345106", "declined"}, {"+31612345107", "no_answer"},
	})
	for _, at := range a.Attempts {
		if at.Loop != 1 && at.Loop != 2 {
			t.Fatalf("attempt in loop %d", at.Loop)
		}
	}
}
