package main_test

import (
	"context"
	"testing"
	"time"

	"alleenwerken/cmd/testkit"
	"alleenwerken/cmd/testkit/testbed"
)

// TestDaemonSIGTERMLeavesNoChannels runs the real daemon binary against the
// test bed's Asterisk: while an alarm call rings, SIGTERM stops the daemon
// cleanly, no channel is left in Asterisk, and the attempt is recorded.
func TestDaemonSIGTERMLeavesNoChannels(t *testing.T) {
	testbed.Need(t)
	d := startBedDaemon(t, "awtest-daemon", "settings.cancel_window = 1s\nsettings.ring_timeout = 30s\n")
	// Channels are compared by id, not counted: one left from an earlier
	// test may go away just as the alarm call comes.
	before := map[string]bool{}
	for _, id := range testbed.Channels(t) {
		before[id] = true
	}
	ours := func() (n int) {
		for _, id := range testbed.Channels(t) {
			if !before[id] {
				n++
			}
		}
		return n
	}
	d.RaiseAlarm(testbed.NumNoAnswer, testbed.NumBusy)
	defer func() {
		if t.Failed() {
			t.Log(d.Stderr.String())
		}
	}()
	testkit.EventuallyWithin(t, 15*time.Second, "the alarm call ringing in Asterisk", func() bool { return ours() > 0 })

	start := time.Now()
	d.Stop()
	t.Logf("daemon stopped %s after SIGTERM", time.Since(start).Round(time.Millisecond))
	testkit.EventuallyWithin(t, 3*time.Second, "no channels left", func() bool { return ours() == 0 })

	a, err := d.OpenStore().AlarmByNumber(context.Background(), 101)
	if err != nil {
		t.Fatal(err)
	}
	if len(a.Attempts) != 1 || a.Attempts[0].Number != testbed.NumNoAnswer || a.Attempts[0].Outcome != "failed" || a.Attempts[0].Reason != "daemon shutdown" {
		t.Fatalf("attempts = %+v", a.Attempts)
	}
}
