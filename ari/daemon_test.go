package ari_test

import (
	"bytes"
	"context"
	"sync"
	"testing"
	"time"
)

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}
func (l *lockedBuffer) String() string { l.mu.Lock(); defer l.mu.Unlock(); return l.b.String() }

// TestDaemonSIGTERMLeavesNoChannels runs the real daemon binary against the
// test bed's Asterisk: while an alarm call rings, SIGTERM stops the daemon
// cleanly, no channel is left in Asterisk, and the attempt is recorded.
func TestDaemonSIGTERMLeavesNoChannels(t *testing.T) {
	needBed(t)
	d := startBedDaemon(t, "awtest-daemon", "settings.cancel_window = 1s\nsettings.ring_timeout = 30s\n")
	before := len(channels(t))
	d.raiseAlarm(numNoAnswer, numBusy)
	waitWithin(t, "the alarm call ringing in Asterisk", 15*time.Second, func() bool { return len(channels(t)) > before })

	start := time.Now()
	d.stop()
	t.Logf("daemon stopped %s after SIGTERM", time.Since(start).Round(time.Millisecond))
	waitWithin(t, "no channels left", 3*time.Second, func() bool { return len(channels(t)) == before })

	a, err := d.openStore().AlarmByNumber(context.Background(), 101)
	if err != nil {
		t.Fatal(err)
	}
	if len(a.Attempts) != 1 || a.Attempts[0].Number != numNoAnswer || a.Attempts[0].Outcome != "failed" || a.Attempts[0].Reason != "daemon shutdown" {
		t.Fatalf("attempts = %+v", a.Attempts)
	}
}

// waitWithin polls cond for up to d.
func waitWithin(t *testing.T, what string, d time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out: %s", what)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
