package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"testing"
	"time"

	aw "alleenwerken"
	"alleenwerken/ari"
	"alleenwerken/cmd/testkit"
	"alleenwerken/cmd/testkit/testbed"
	"alleenwerken/gsm/modemsim"
)

// bedMain is the whole daemon in this process (Main, wired as `alleenwerken
// run` wires it) calling through the real Asterisk of the test bed, with a
// simulated modem on a real pseudo-terminal.
type bedMain struct {
	*Main
	t     *testing.T
	log   *testkit.SyncBuffer // the daemon's log
	sim   *modemsim.Sim
	token string // the app device token the API calls use
}

// openBedMain opens the daemon in this process as `alleenwerken run` on a
// config file of the test bed's ARI (Stasis application app), a modem on a
// pty and the extra lines; it is closed at the end of the test.
func openBedMain(t *testing.T, app string, extra ...string) *bedMain {
	t.Helper()
	sim, err := modemsim.New(modemsim.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sim.Close() })
	lines := append([]string{
		"ari.url = " + testbed.URL, "ari.user = " + testbed.User, "ari.password = " + testbed.Password,
		"ari.app = " + app, "modem.port = " + sim.Path(),
	}, extra...)
	m, _, log := startMain(t, "", lines)
	return &bedMain{Main: m, t: t, log: log, sim: sim}
}

// e2eSettings are the settings of the end-to-end tests: short timers, the
// desk phone 201, the test bed's trunk; a test's own lines come after them.
var e2eSettings = []string{
	"settings.extensions = 201:Portiersloge", "settings.cancel_window = 1s", "settings.ring_timeout = 3s",
	"settings.prompt_repeats = 1", "settings.repeat_interval = 60", "settings.caller_id = +31301234567",
	"settings.dial_template = PJSIP/{e164}@trunk",
}

// openE2E opens the whole daemon in this process against the test bed with
// the end-to-end settings and the settings lines, and an app device; it
// waits until telephony is connected.
func openE2E(t *testing.T, settings ...string) *bedMain {
	t.Helper()
	return openE2EApp(t, testbed.App("e2e"), settings...)
}

// openE2EApp is openE2E with Stasis application app (and any lines, such
// as nats.url).
func openE2EApp(t *testing.T, app string, lines ...string) *bedMain {
	t.Helper()
	e := openBedMain(t, app, append(append([]string{}, e2eSettings...), lines...)...)
	e.token = e.newDevice("Telefoon Laura")
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := e.adapter().WaitConnected(ctx); err != nil {
		t.Fatal(err)
	}
	return e
}

// newDevice creates another app device and returns its token.
func (e *bedMain) newDevice(name string) string {
	e.t.Helper()
	_, token, err := e.Devices.CreateDevice(context.Background(), aw.CLIActor("test"), name)
	if err != nil {
		e.t.Fatal(err)
	}
	return token
}

// adapter returns the ARI adapter the daemon calls through now.
func (e *bedMain) adapter() *ari.Telephony { return e.tel.current().(*ari.Telephony) }

// endedCalls returns the ids of the calls whose end the daemon has logged:
// the adapter logs "call ended" before it frees the call's slot.
func (e *bedMain) endedCalls() map[string]bool {
	ended := map[string]bool{}
	for _, m := range callEnded.FindAllStringSubmatch(e.log.String(), -1) {
		ended[m[1]] = true
	}
	return ended
}

var callEnded = regexp.MustCompile(`msg="call ended".* call=(\S+)`)

// liveChannels lists Asterisk's channels and counts those that ours accepts
// and whose call had not ended once the list had arrived: ARI's channel
// list can show a destroyed channel a moment longer, long enough for the
// next call in the freed slot to appear beside it. It does not fail the
// test: it runs in polling goroutines.
func (e *bedMain) liveChannels(ours func(id string) bool) (int, error) {
	ids, err := testbed.ListChannels()
	if err != nil {
		return 0, err
	}
	gone := e.endedCalls() // after the list: an ended call's channel may linger in it
	n := 0
	for _, id := range ids {
		if ours(id) && !gone[id] {
			n++
		}
	}
	return n, nil
}

func (e *bedMain) do(method, path string, body any) map[string]any {
	e.t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, "http://"+e.HTTP.Addr()+path, rd)
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
func (e *bedMain) pressAlarm(numbers []string) string {
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
func (e *bedMain) storedAlarm(sessionID string) *aw.Alarm {
	e.t.Helper()
	alarms, err := e.DB.Alarms(context.Background(), 10)
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
func (e *bedMain) alarmRaised(numbers []string, want ...string) *aw.Alarm {
	e.t.Helper()
	return e.waitAlarm(e.pressAlarm(numbers), want...)
}

// waitAlarm waits until the session's alarm is in one of the states want.
func (e *bedMain) waitAlarm(id string, want ...string) *aw.Alarm {
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

// waitCallEnded waits until attempt i of an alarm has ended.
func (e *bedMain) waitCallEnded(alarmID string, i int) *aw.Alarm {
	e.t.Helper()
	deadline := time.Now().Add(time.Minute)
	for {
		a, err := e.DB.Alarm(context.Background(), alarmID)
		if err != nil {
			e.t.Fatal(err)
		}
		if len(a.Attempts) > i && a.Attempts[i].EndedAt != nil {
			return a
		}
		if time.Now().After(deadline) {
			e.t.Fatalf("attempt %d of alarm #%d did not end", i+1, a.Number)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func checkLadder(t *testing.T, a *aw.Alarm, want [][2]string) {
	t.Helper()
	t.Logf("alarm #%d %s\n%s", a.Number, a.State, testkit.FormatAttempts(a))
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
	testbed.Need(t)
	callerID := fmt.Sprintf("+3130%07d", time.Now().UnixNano()%1e7)
	e := openE2E(t, "settings.fallback_number = 201", "settings.caller_id = "+callerID)
	a := e.alarmRaised([]string{"0612345105", "0612345106", "0612345107"}, "accepted")
	if at, err := testbed.InviteTime(testbed.PhoneTrace("05"), callerID); err != nil {
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
	testbed.Need(t)
	e := openE2E(t, "settings.fallback_number = 0612345107", "settings.ladder_loops = 2")
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

// telephonyUp reports whether telephony is ok or degraded, as /healthz
// shows it.
func (e *bedMain) telephonyUp() bool {
	s := e.Telephony.Health().State
	return s == aw.HealthOK || s == aw.HealthDegraded
}
