package main

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	aw "alleenwerken"
	"alleenwerken/cmd/testkit"
)

// fakeTel is a telephony adapter whose calls last until released.
type fakeTel struct {
	name    string
	release chan struct{}
	mu      sync.Mutex
	calls   int
	closed  bool
	aborted int // calls still running when it was closed
}

func newFakeTel(name string) *fakeTel { return &fakeTel{name: name, release: make(chan struct{})} }

func (f *fakeTel) Health() aw.Health {
	return aw.Health{State: aw.HealthOK, Reason: "Verbonden (" + f.name + ")."}
}
func (f *fakeTel) Hangup(context.Context, string) error { return nil }
func (f *fakeTel) Call(ctx context.Context, req aw.CallRequest, p aw.CallProgress) (aw.CallResult, error) {
	f.mu.Lock()
	f.calls++
	f.mu.Unlock()
	select {
	case <-f.release:
		return aw.CallResult{Outcome: aw.OutcomeNoAnswer, Reason: f.name}, nil
	case <-ctx.Done():
		return aw.CallResult{}, ctx.Err()
	}
}

// close ends the calls still running, as ari's Close hangs them up.
func (f *fakeTel) close() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.closed = true
	select {
	case <-f.release:
	default:
		close(f.release)
	}
	return nil
}

func (f *fakeTel) state() (calls int, closed bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls, f.closed
}

// opened returns an opener that hands out f and counts its use.
func opened(f *fakeTel, n *int) opener {
	return func() (aw.Telephony, func() error, error) {
		*n++
		return f, f.close, nil
	}
}

// A connection change during a call waits for that call: the call ends
// with its own outcome on the old adapter, which is closed only then; the
// new adapter is opened only then (its Stasis application would take over
// the old one's), and the next call goes to it.
func TestSwitchWaitsForCalls(t *testing.T) {
	clock := aw.NewManualClock(time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC))
	a, b := newFakeTel("A"), newFakeTel("B")
	s := newSwitchTelephony(a, a.close, clock, slog.New(slog.NewTextHandler(io.Discard, nil)))
	res := make(chan aw.CallResult, 2)
	call := func() {
		r, err := s.Call(context.Background(), aw.CallRequest{ID: "c", Number: "+31612345678"}, nil)
		if err != nil {
			t.Error(err)
		}
		res <- r
	}
	go call()
	go call()
	testkit.Eventually(t, "two calls on A", func() bool { n, _ := a.state(); return n == 2 })

	opens := 0
	if n := s.Swap(opened(b, &opens)); n != 2 || opens != 0 {
		t.Fatalf("swap during calls: waiting %d, opened %d; want 2, 0", n, opens)
	}
	if h := s.Health(); h.State != aw.HealthOK || !strings.Contains(h.Reason, "zodra de 2 lopende alarmgesprekken zijn afgelopen (uiterlijk 10:05:00)") {
		t.Fatalf("health while waiting: %+v", h)
	}
	// A call that starts meanwhile still goes to A.
	go call()
	testkit.Eventually(t, "the third call on A", func() bool { n, _ := a.state(); return n == 3 })

	close(a.release) // the calls end by themselves
	for range 3 {
		if r := <-res; r.Outcome != aw.OutcomeNoAnswer || r.Reason != "A" {
			t.Fatalf("call on A ended %+v", r)
		}
	}
	testkit.Eventually(t, "B in place", func() bool { return s.current() == b })
	if _, closed := a.state(); !closed || opens != 1 {
		t.Fatalf("after the calls: A closed %v, B opened %d times", closed, opens)
	}
	if h := s.Health(); strings.Contains(h.Reason, "nieuwe verbinding") || h.Reason != "Verbonden (B)." {
		t.Fatalf("health after the swap: %+v", h)
	}
	go call()
	testkit.Eventually(t, "the next call on B", func() bool { n, _ := b.state(); return n == 1 })
	close(b.release)
	if r := <-res; r.Reason != "B" {
		t.Fatalf("call on B ended %+v", r)
	}
	// With no call in progress a swap is immediate and closes the old one.
	c, opensC := newFakeTel("C"), 0
	if n := s.Swap(opened(c, &opensC)); n != 0 || opensC != 1 || s.current() != c {
		t.Fatalf("idle swap: waiting %d, opened %d", n, opensC)
	}
	if _, closed := b.state(); !closed {
		t.Fatal("B not closed")
	}
}

// A call that does not end within maxDrain does not hold the change off for
// ever: after maxDrain the new adapter is put in place and the old one's
// close ends that call. A later Swap replaces one still waiting.
func TestSwitchDrainDeadline(t *testing.T) {
	clock := aw.NewManualClock(time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC))
	a, b, c := newFakeTel("A"), newFakeTel("B"), newFakeTel("C")
	s := newSwitchTelephony(a, a.close, clock, slog.New(slog.NewTextHandler(io.Discard, nil)))
	res := make(chan aw.CallResult, 1)
	go func() {
		r, _ := s.Call(context.Background(), aw.CallRequest{ID: "c", Number: "+31612345678"}, nil)
		res <- r
	}()
	testkit.Eventually(t, "the call on A", func() bool { n, _ := a.state(); return n == 1 })
	opensB, opensC := 0, 0
	if n := s.Swap(opened(b, &opensB)); n != 1 {
		t.Fatalf("waiting %d", n)
	}
	if n := s.Swap(opened(c, &opensC)); n != 1 {
		t.Fatalf("waiting %d", n)
	}
	testkit.Eventually(t, "the deadline timer", func() bool { return clock.Timers() == 1 })
	clock.Advance(maxDrain - time.Second)
	if s.current() != a {
		t.Fatal("swapped before maxDrain")
	}
	clock.Advance(time.Second)
	testkit.Eventually(t, "C in place", func() bool { return s.current() == c })
	<-res // ended by A's close
	if _, closed := a.state(); !closed || opensB != 0 || opensC != 1 {
		t.Fatalf("after maxDrain: A closed %v, opened B %d C %d", closed, opensB, opensC)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if _, closed := c.state(); !closed {
		t.Fatal("C not closed")
	}
}

// A second change saved while the first is still being made (the old
// adapter closing) waits for it, then replaces it.
func TestSwitchSwapDuringChange(t *testing.T) {
	clock := aw.NewManualClock(time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC))
	a, b, c := newFakeTel("A"), newFakeTel("B"), newFakeTel("C")
	closing := make(chan struct{})
	slowClose := func() error { <-closing; return a.close() }
	s := newSwitchTelephony(a, slowClose, clock, slog.New(slog.NewTextHandler(io.Discard, nil)))
	done := make(chan struct{})
	go func() {
		defer close(done)
		s.Call(context.Background(), aw.CallRequest{ID: "c", Number: "+31612345678"}, nil)
	}()
	testkit.Eventually(t, "the call on A", func() bool { n, _ := a.state(); return n == 1 })
	var opensB, opensC int
	s.Swap(opened(b, &opensB))
	close(a.release) // the call ends; the change starts and waits for A's close
	<-done
	swapped := make(chan int)
	go func() { swapped <- s.Swap(opened(c, &opensC)) }()
	select {
	case <-swapped:
		t.Fatal("the second change did not wait for the first")
	case <-time.After(50 * time.Millisecond):
	}
	close(closing)
	if n := <-swapped; n != 0 || s.current() != c || opensB != 1 || opensC != 1 {
		t.Fatalf("after both changes: waiting %d, current C %v, opened B %d C %d", n, s.current() == c, opensB, opensC)
	}
	if _, closed := b.state(); !closed {
		t.Fatal("B not closed")
	}
}
