package testkit

import (
	"testing"
	"time"
)

// Patience is how long Eventually waits.
const Patience = 5 * time.Second

// Eventually polls cond every few milliseconds until it holds, for up to
// Patience of real time, and fails the test naming what it waited for.
func Eventually(tb testing.TB, what string, cond func() bool) {
	tb.Helper()
	EventuallyWithin(tb, Patience, what, cond)
}

// EventuallyWithin is Eventually with a deadline of d. It polls every
// thousandth of d, at least every millisecond and at most every 50 ms, so a
// long wait on something expensive to ask (a PBX over HTTP) does not hammer
// it.
func EventuallyWithin(tb testing.TB, d time.Duration, what string, cond func() bool) {
	tb.Helper()
	every := min(max(d/1000, time.Millisecond), 50*time.Millisecond)
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			tb.Fatalf("timed out after %s waiting for: %s", d, what)
		}
		time.Sleep(every)
	}
}
