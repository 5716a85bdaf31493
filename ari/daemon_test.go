package ari_test

import (
	"alleenwerken/cmd/testkit"
	"context"
	"testing"
	"time"
)

// TestDaemonSIGTERMLeavesNoChannels runs the real daemon binary against the
// test bed's Asterisk: while an alarm call rings, SIGTERM stops the daemon
// cleanly, no channel is left in Asterisk, and the attempt is recorded.
func TestDaemonSIGTERMLeavesNoChannels(t *testing.T) {
	needBed(t)
	d := startBedDaemon(t, "awtest-daemon", "settings.cancel_window = 1s\nsettings.ring_timeout = 30s\n")
	before := len(channels(t))
	d.raiseAlarm(numNoAnswer, numBusy)
	testkit.EventuallyWithin(t, 15*time.Second, "the alarm call ringing in Asterisk", func() bool { return len(channels(t)) > before })

	start := time.Now()
	d.stop()
	t.Logf("daemon stopped %s after SIGTERM", time.Since(start).Round(time.Millisecond))
	testkit.EventuallyWithin(t, 3*time.Second, "no channels left", func() bool { return len(channels(t)) == before })

	a, err := d.openStore().AlarmByNumber(context.Background(), 101)
	if err != nil {
		t.Fatal(err)
	}
	if len(a.Attempts) != 1 || a.Attempts[0].Number != numNoAnswer || a.Attempts[0].Outcome != "failed" || a.Attempts[0].Reason != "daemon shutdown" {
		t.Fatalf("attempts = %+v", a.Attempts)
	}
}
