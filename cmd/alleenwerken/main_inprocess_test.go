package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	aw "alleenwerken"
	"alleenwerken/cmd/testkit"
)

// openMain opens the daemon in this process, as `alleenwerken demo` with
// extra config lines sets it up, its files in a temporary folder; it is
// closed at the end of the test. The demo's telephony and modem print to
// the returned buffer.
func openMain(t *testing.T, extra ...string) (*Main, *testkit.SyncBuffer) {
	t.Helper()
	m, out, _ := startMain(t, demoConfig, extra)
	return m, out
}

// startMain opens the daemon in this process on the config text base with
// the extra lines after it, its files (database, admin socket, backups) in
// a temporary folder; it is closed at the end of the test. It returns the
// daemon, what it prints (the demo's telephony and modem) and its log,
// which a failed test shows.
func startMain(t *testing.T, base string, extra []string) (m *Main, out, log *testkit.SyncBuffer) {
	t.Helper()
	dir := t.TempDir()
	sets := append([]string{
		"listen = 127.0.0.1:0", "database = " + filepath.Join(dir, "aw.db"),
		"admin_socket = " + filepath.Join(dir, "admin.sock"), "backup_dir = " + filepath.Join(dir, "backups"),
	}, extra...)
	cfg, err := ParseConfig(strings.NewReader(base + "\n" + strings.Join(sets, "\n")))
	if err != nil {
		t.Fatal(err)
	}
	out, log = &testkit.SyncBuffer{}, &testkit.SyncBuffer{}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("the daemon's log:\n%s", log)
		}
	})
	m = NewMain(cfg, out, log)
	if err := m.Open(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := m.Close(); err != nil {
			t.Error(err)
		}
	})
	return m, out, log
}

// apiPost sends a JSON body to m's app API with a device token and
// returns the status and the decoded answer.
func apiPost(t *testing.T, m *Main, tok, path, body string) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest("POST", "http://"+m.HTTP.Addr()+path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var v map[string]any
	json.NewDecoder(resp.Body).Decode(&v)
	return resp.StatusCode, v
}

// The whole daemon in this process: a token from the device service, a
// session and an alarm through the app API over HTTP, the ladder through
// the demo telephony (busy, no answer, accepted with the SMS), the
// responder SMS through the outbox, and everything on disk.
func TestMainInProcess(t *testing.T) {
	m, out := openMain(t, "settings.cancel_window = 1s", "settings.ring_timeout = 1s")
	ctx := context.Background()
	_, tok, err := m.Devices.CreateDevice(ctx, aw.CLIActor("test"), "telefoon test")
	if err != nil {
		t.Fatal(err)
	}
	post := func(path, body string) map[string]any {
		t.Helper()
		st, v := apiPost(t, m, tok, path, body)
		if st >= 300 {
			t.Fatalf("%s: %d %v", path, st, v)
		}
		return v
	}
	s := post("/api/v1/sessions", `{"worker":{"name":"Laura van Dijk","phone":"0617782201"},"alarm_numbers":["0612345671","0612345672","0612345673"],"duration_minutes":60}`)
	id, _ := s["id"].(string)
	post("/api/v1/sessions/"+id+"/alarm", "")
	testkit.EventuallyWithin(t, 20*time.Second, "the responder SMS", func() bool {
		return strings.Contains(out.String(), "SMS (responder) aan +31612345673")
	})
	if !strings.Contains(out.String(), ": alarmknop ingedrukt. Laura van Dijk") {
		t.Fatalf("the responder SMS does not say why the alarm went off:\n%s", out.String())
	}
	sess, err := m.DB.Session(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	a, err := m.DB.Alarm(ctx, sess.AlarmID)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, at := range a.Attempts {
		got = append(got, at.Number+" "+string(at.Outcome))
	}
	if want := "+31612345671 busy, +31612345672 no_answer, +31612345673 accepted"; strings.Join(got, ", ") != want || a.State != aw.AlarmAccepted {
		t.Fatalf("alarm #%d %s: %s, want %s", a.Number, a.State, strings.Join(got, ", "), want)
	}
	if a.Ladder[3].Kind != aw.StepFallback || a.Ladder[0].Kind != aw.StepAlarmNumber {
		t.Fatalf("ladder = %+v", a.Ladder)
	}
}

// A SIGTERM while the daemon is still starting (systemd stopping a slow
// start) is a stop, not a failure: exit 0, nothing left open. Before, the
// start broke off with "context canceled" and the daemon exited 1 (seen in
// TestKeyRotate when the signal came during the start).
func TestStopWhileStarting(t *testing.T) {
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // the signal has come already
	var stderr testkit.SyncBuffer
	err := runDaemon(ctx, "demo", []string{
		"-set", "listen=127.0.0.1:0", "-set", "database=" + filepath.Join(dir, "aw.db"),
		"-set", "admin_socket=" + filepath.Join(dir, "admin.sock"), "-set", "backup_dir=" + filepath.Join(dir, "backups"),
	}, io.Discard, &stderr)
	if err != nil {
		t.Fatalf("stopped while starting: %v\n%s", err, stderr.String())
	}
	if !strings.Contains(stderr.String(), "stopped while starting") {
		t.Fatalf("stderr: %s", stderr.String())
	}
}

// Two loops with loop_pause = 5 s through the whole daemon, the demo
// telephony and the real clock: every number busy or declining, the second
// loop starts 5 s after the last call of the first (measured on the
// attempts' times as stored), and the alarm is not accepted only then.
func TestMainLoopPause(t *testing.T) {
	m, out := openMain(t, "settings.cancel_window = 1s", "settings.ring_timeout = 1s", "settings.ladder_loops = 2",
		"settings.loop_pause = 5s", "settings.fallback_number = 0612345681")
	ctx := context.Background()
	a, err := m.Service.RaiseTestAlarm(ctx, aw.CLIActor("test"), []string{"0612345671", "0612345675"})
	if err != nil {
		t.Fatal(err)
	}
	testkit.EventuallyWithin(t, 30*time.Second, "two loops, not accepted", func() bool {
		x, err := m.DB.Alarm(ctx, a.ID)
		return err == nil && x.State == aw.AlarmUnanswered && len(x.Attempts) == 6
	})
	x, _ := m.DB.Alarm(ctx, a.ID)
	last1, first2 := x.Attempts[2], x.Attempts[3]
	if last1.Loop != 1 || first2.Loop != 2 || last1.EndedAt == nil || last1.Outcome != aw.OutcomeBusy {
		t.Fatalf("attempts 3 and 4: %+v %+v\n%s", last1, first2, out.String())
	}
	gap := first2.StartedAt.Sub(*last1.EndedAt)
	t.Logf("gap between the last call of loop 1 (%s) and the first of loop 2 (%s): %v",
		last1.EndedAt.Format("15:04:05.000"), first2.StartedAt.Format("15:04:05.000"), gap)
	if gap < 5*time.Second || gap > 6*time.Second {
		t.Fatalf("gap = %v, want 5 s (up to 6 s)", gap)
	}
	if d := x.UnansweredAt.Sub(x.RaisedAt); d < 5*time.Second {
		t.Fatalf("not accepted %v after it was raised, want after the pause", d)
	}
}
