package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	aw "alleenwerken"
)

// maxDrain is how long a new connection waits for the calls on the old one
// to end before it is put in place anyway (and those calls are hung up).
const maxDrain = 5 * time.Minute

// opener opens a telephony adapter and returns its close function.
type opener func() (aw.Telephony, func() error, error)

// switchTelephony is the telephony the core holds. A connection change in
// the console replaces the adapter behind it, but not under a call: while
// calls are in progress the new adapter waits (at most maxDrain), and the
// last call to end puts it in place. A responder on the line is not cut
// off. The old adapter is closed before the new one opens, so the two never
// hold the same Stasis application; calls that start meanwhile wait for the
// change (and the new adapter waits briefly for its connection, as at
// start; see ari.Config.ConnectGrace).
type switchTelephony struct {
	clock aw.Clock
	log   *slog.Logger

	mu        sync.Mutex
	cur       aw.Telephony
	close     func() error
	gen       int           // bumped at each change; a call counts against its own
	calls     int           // calls in progress on cur
	pending   opener        // the replacement waiting for calls to end
	waitSince time.Time     // when pending was first set
	stopDrain chan struct{} // closed when the pending change starts or is dropped
	changing  chan struct{} // closed when a change under way is done
	closed    bool
}

func newSwitchTelephony(t aw.Telephony, closeT func() error, clock aw.Clock, log *slog.Logger) *switchTelephony {
	return &switchTelephony{cur: t, close: closeT, clock: clock, log: log}
}

func (s *switchTelephony) current() aw.Telephony {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.cur
}

// Health implements aw.HealthReporter; a connection waiting for calls to
// end is said in the reason.
func (s *switchTelephony) Health() aw.Health {
	s.mu.Lock()
	cur, waiting, n, since := s.cur, s.pending != nil, s.calls, s.waitSince
	s.mu.Unlock()
	h := cur.Health()
	if waiting {
		h.Reason = fmt.Sprintf("%s De nieuwe verbinding uit de console gaat in zodra %s afgelopen (uiterlijk %s).",
			h.Reason, callsWord(n), since.Add(maxDrain).Format("15:04:05"))
	}
	return h
}

func callsWord(n int) string {
	if n == 1 {
		return "het lopende alarmgesprek is"
	}
	return fmt.Sprintf("de %d lopende alarmgesprekken zijn", n)
}

// Call implements aw.Telephony on the adapter in place when it starts.
func (s *switchTelephony) Call(ctx context.Context, req aw.CallRequest, p aw.CallProgress) (aw.CallResult, error) {
	s.mu.Lock()
	if err := s.waitChangeLocked(ctx); err != nil {
		s.mu.Unlock()
		return aw.CallResult{}, err
	}
	t, gen := s.cur, s.gen
	s.calls++
	s.mu.Unlock()
	defer s.callEnded(gen)
	return t.Call(ctx, req, p)
}

// waitChangeLocked waits, s.mu held (and released meanwhile), until no
// change is under way or ctx ends.
func (s *switchTelephony) waitChangeLocked(ctx context.Context) error {
	for s.changing != nil {
		ch := s.changing
		s.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			s.mu.Lock()
			return ctx.Err()
		}
		s.mu.Lock()
	}
	return nil
}

// callEnded counts a call of adapter generation gen out; the last one
// starts a waiting change.
func (s *switchTelephony) callEnded(gen int) {
	s.mu.Lock()
	if gen != s.gen {
		s.mu.Unlock()
		return
	}
	s.calls--
	if s.calls > 0 || s.pending == nil {
		s.mu.Unlock()
		return
	}
	open, closeOld := s.beginLocked()
	s.mu.Unlock()
	go s.complete(open, closeOld, 0)
}

// Hangup implements aw.Telephony.
func (s *switchTelephony) Hangup(ctx context.Context, id string) error {
	return s.current().Hangup(ctx, id)
}

// Swap replaces the adapter by the one open returns. With no call in
// progress that is done before Swap returns; otherwise it waits for the
// calls to end (at most maxDrain) and Swap returns the number of calls it
// waits for. A later Swap replaces one still waiting.
func (s *switchTelephony) Swap(open opener) (waiting int) {
	s.mu.Lock()
	s.waitChangeLocked(context.Background()) // one change at a time
	if s.closed {
		s.mu.Unlock()
		return 0
	}
	s.pending = open
	if s.calls > 0 {
		if s.stopDrain == nil {
			s.waitSince = s.clock.Now()
			s.stopDrain = make(chan struct{})
			go s.drainDeadline(s.gen, s.stopDrain)
		}
		n := s.calls
		s.mu.Unlock()
		s.log.Warn("the new connection waits for the calls in progress to end", "calls", n, "at_most", maxDrain)
		return n
	}
	open, closeOld := s.beginLocked()
	s.mu.Unlock()
	s.complete(open, closeOld, 0)
	return 0
}

// drainDeadline starts the waiting change after maxDrain even if calls are
// still in progress; the old adapter's close hangs them up and their
// ladders move on.
func (s *switchTelephony) drainDeadline(gen int, stop chan struct{}) {
	t := s.clock.NewTimer(maxDrain)
	defer t.Stop()
	select {
	case <-stop:
		return
	case <-t.C():
	}
	s.mu.Lock()
	if s.gen != gen || s.pending == nil {
		s.mu.Unlock()
		return
	}
	n := s.calls
	open, closeOld := s.beginLocked()
	s.mu.Unlock()
	s.complete(open, closeOld, n)
}

// beginLocked starts the change to the pending adapter; s.mu is held.
// Calls still counted against the old adapter no longer count, and new
// calls wait until complete has run.
func (s *switchTelephony) beginLocked() (opener, func() error) {
	open, closeOld := s.pending, s.close
	s.pending, s.close = nil, nil
	if s.stopDrain != nil {
		close(s.stopDrain)
		s.stopDrain = nil
	}
	s.gen++
	s.calls = 0
	s.changing = make(chan struct{})
	return open, closeOld
}

// complete closes the old adapter (hanging up the cut calls, if any), then
// opens the new one and lets waiting calls go on.
func (s *switchTelephony) complete(open opener, closeOld func() error, cut int) {
	if cut > 0 {
		s.log.Warn("calls still in progress after the wait: they are hung up and the new connection is put in place", "calls", cut)
	}
	if closeOld != nil {
		if err := closeOld(); err != nil {
			s.log.Warn("closing the old telephony adapter", "err", err)
		}
	}
	t, closeT, err := open()
	if err != nil {
		s.log.Error("opening the new telephony adapter failed", "err", err)
		t, closeT = unavailable{reason: "De nieuwe verbinding is ongeldig: " + err.Error()}, nil
	} else {
		s.log.Warn("telephony uses the new connection")
	}
	s.mu.Lock()
	s.cur, s.close = t, closeT
	close(s.changing)
	s.changing = nil
	s.mu.Unlock()
}

// unavailable stands in when a new adapter could not be opened: calls are
// not placed (the ladders back off and fan out the SMS) and the health is
// down with the reason, until the connection is saved again.
type unavailable struct{ reason string }

// Health implements aw.HealthReporter.
func (u unavailable) Health() aw.Health { return aw.Health{State: aw.HealthDown, Reason: u.reason} }

// Call implements aw.Telephony.
func (u unavailable) Call(context.Context, aw.CallRequest, aw.CallProgress) (aw.CallResult, error) {
	return aw.CallResult{}, aw.Errorf(aw.EUNAVAILABLE, "%s", u.reason)
}

// Hangup implements aw.Telephony.
func (u unavailable) Hangup(context.Context, string) error { return nil }

// Close drops a waiting connection, lets a change under way finish, and
// closes the current adapter.
func (s *switchTelephony) Close() error {
	s.mu.Lock()
	s.closed, s.pending = true, nil
	if s.stopDrain != nil {
		close(s.stopDrain)
		s.stopDrain = nil
	}
	s.waitChangeLocked(context.Background())
	c := s.close
	s.close = nil
	s.mu.Unlock()
	if c != nil {
		return c()
	}
	return nil
}

// EndpointState implements aw.EndpointStater when the current adapter does.
func (s *switchTelephony) EndpointState(ctx context.Context, name string) (string, error) {
	if es, ok := s.current().(aw.EndpointStater); ok {
		return es.EndpointState(ctx, name)
	}
	return "", errors.New("telephony cannot report endpoint states")
}
