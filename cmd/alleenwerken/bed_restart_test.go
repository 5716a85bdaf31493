package main_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	aw "alleenwerken"
	"alleenwerken/cmd/testkit"
	"alleenwerken/cmd/testkit/testbed"
)

// The restart tests run the real daemon binary against the test bed: it is
// killed, stopped and started again. The daemon's own log is the clock of
// these tests: the figures are the time between two of its lines, not the
// test's wall clock.

const restartSettings = "settings.cancel_window = 1s\nsettings.ring_timeout = 20s\n" +
	"settings.fallback_number = 0612345105\nsettings.admin_numbers = 0612345199\n"

// The real daemon is killed with SIGKILL while an alarm call rings and is
// started again, as systemd does, with ARI answering only 1 s after the
// start (a loaded machine): the ladder goes on with the next number as soon
// as Asterisk is connected, within 2 s of the restart, and nobody gets a
// "the phone system cannot call" SMS, because it can.
func TestDaemonKilledWhileRinging(t *testing.T) {
	testbed.Need(t)
	d := startBedDaemon(t, "awtest-kill", restartSettings)
	d.RaiseAlarm(testbed.NumNoAnswer, testbed.NumSMSNo)
	d.WaitLog(15*time.Second, 1, `msg="call placed"`, "number="+testbed.NumNoAnswer)
	time.Sleep(time.Second) // ringing
	d.Kill()

	slow := newSlowARI(t)
	d.useARI(slow.url())
	slow.holdFor(time.Second)
	d.Run()
	started := d.WaitLog(5*time.Second, 1, "time=")
	placed := d.WaitLog(10*time.Second, 1, `msg="call placed"`, "number="+testbed.NumSMSNo)
	connected := d.WaitLog(time.Second, 1, `msg="connected to Asterisk"`)
	gap := placed.At.Sub(started.At)
	t.Logf("restart → connected %v, restart → next number placed %v", connected.At.Sub(started.At), gap)
	if gap > 2*time.Second {
		t.Fatalf("next number placed %v after the restart, want within 2 s", gap)
	}
	d.WaitLog(30*time.Second, 1, `msg="sms choice"`, "choice=no")
	d.noSMS("after a restart with Asterisk up")
	d.Stop()

	a, err := d.OpenStore().AlarmByNumber(context.Background(), 101)
	if err != nil {
		t.Fatal(err)
	}
	if got := testkit.FormatAttempts(a); !strings.Contains(got, testbed.NumNoAnswer+" failed") || a.State != aw.AlarmAccepted ||
		len(a.Attempts) != 2 || a.Attempts[0].Reason != "daemon restart" || a.AcceptedBy != testbed.NumSMSNo {
		t.Fatalf("alarm #%d %s\n%s", a.Number, a.State, got)
	}
}

// A session's timer comes due while the daemon is stopped: at the start
// the alarm's first call waits for the connection to Asterisk and is placed
// right after it, without an SMS.
func TestDaemonExpiredWhileStopped(t *testing.T) {
	testbed.Need(t)
	d := startBedDaemon(t, "awtest-expired", restartSettings)
	_, id := d.StartSession(testbed.NumSMSNo, testbed.NumBusy)
	d.Stop()
	testkit.ExpireWhileStopped(t, filepath.Join(d.Dir, "aw.db"), id)

	d.Run()
	connected := d.WaitLog(10*time.Second, 1, `msg="connected to Asterisk"`)
	placed := d.WaitLog(10*time.Second, 1, `msg="call placed"`, "number="+testbed.NumSMSNo)
	t.Logf("connected → first alarm call placed %v", placed.At.Sub(connected.At))
	if placed.At.Before(connected.At) || placed.At.Sub(connected.At) > time.Second {
		t.Fatalf("first call at %v, connected at %v: want it within 1 s after the connection", placed.At, connected.At)
	}
	d.WaitLog(30*time.Second, 1, `msg="sms choice"`, "choice=no")
	d.noSMS("a timer that came due while stopped")
	d.Stop()
}

// Asterisk is stopped for 30 s during an alarm and started again: the
// calls that cannot be placed meanwhile back off (and the alarm SMS goes
// out: telephony is really down), and when ARI reconnects the ladder calls
// at once instead of waiting out its back-off.
func TestDaemonAsteriskBackAfterOutage(t *testing.T) {
	testbed.Need(t)
	testbed.RestartAsteriskAtEnd(t)
	d := startBedDaemon(t, "awtest-outage", restartSettings)
	d.RaiseAlarm(testbed.NumNoAnswer, testbed.NumSMSNo)
	d.WaitLog(15*time.Second, 1, `msg="call placed"`, "number="+testbed.NumNoAnswer)
	testbed.Run(t, "asterisk-stop")
	d.WaitLog(20*time.Second, 1, "call could not be placed; backing off")
	time.Sleep(30 * time.Second)
	testbed.Run(t, "asterisk-start")
	connected := d.WaitLog(30*time.Second, 2, `msg="connected to Asterisk"`)
	placed := d.WaitLog(10*time.Second, 1, `msg="call placed"`, "number="+testbed.NumSMSNo)
	gap := placed.At.Sub(connected.At)
	t.Logf("reconnect → next call placed %v; calls not placed during the outage: %d", gap, len(d.LogLines("call could not be placed")))
	if gap < 0 || gap > time.Second {
		t.Fatalf("next call placed %v after the reconnect, want within 1 s", gap)
	}
	d.WaitLog(30*time.Second, 1, `msg="ALARM ACCEPTED"`)
	if len(d.LogLines("telephony cannot place calls: alarm SMS")) != 1 {
		t.Fatalf("want one telephony-down fan-out during the outage\n%s", d.Stderr.String())
	}
	d.Stop()
}
