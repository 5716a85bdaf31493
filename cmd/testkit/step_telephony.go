package testkit

import (
	"context"
	"sync"
	"testing"
	"time"

	aw "alleenwerken"
)

// StepTelephony is an aw.Telephony whose calls wait until the test ends
// them one by one: Next hands the test the next call, which it then ends
// or accepts.
type StepTelephony struct {
	health    Health
	calls     chan *StepCall
	closed    chan struct{}
	once      sync.Once
	mu        sync.Mutex
	cancelled int
}

// StepCall is one call of a StepTelephony in progress.
type StepCall struct {
	Req  aw.CallRequest // what was asked for
	p    aw.CallProgress
	done chan aw.CallResult
}

// NewStepTelephony returns a stepped telephony whose health is ok with
// reason.
func NewStepTelephony(reason string) *StepTelephony {
	return &StepTelephony{health: Health{state: aw.HealthOK, reason: reason},
		calls: make(chan *StepCall), closed: make(chan struct{})}
}

// Close lets every waiting call end.
func (f *StepTelephony) Close() { f.once.Do(func() { close(f.closed) }) }

// Call hands the call to the test and waits for its end or the ladder's
// stop.
func (f *StepTelephony) Call(ctx context.Context, req aw.CallRequest, p aw.CallProgress) (aw.CallResult, error) {
	c := &StepCall{Req: req, p: p, done: make(chan aw.CallResult, 1)}
	select {
	case f.calls <- c:
	case <-ctx.Done():
		return aw.CallResult{}, ctx.Err()
	case <-f.closed:
		return aw.CallResult{}, context.Canceled
	}
	select {
	case r := <-c.done:
		return r, nil
	case <-ctx.Done():
		f.mu.Lock()
		f.cancelled++
		f.mu.Unlock()
		return aw.CallResult{Outcome: aw.OutcomeFailed, Reason: "hung up: ladder stopped"}, nil
	case <-f.closed:
		return aw.CallResult{Outcome: aw.OutcomeFailed, Reason: "test over"}, nil
	}
}

// Hangup does nothing.
func (f *StepTelephony) Hangup(context.Context, string) error { return nil }

// Next waits up to 10 s for the next call.
func (f *StepTelephony) Next(tb testing.TB) *StepCall {
	tb.Helper()
	select {
	case c := <-f.calls:
		return c
	case <-time.After(10 * time.Second):
		tb.Fatal("no call placed")
	}
	return nil
}

// Quiet reports whether no call is placed within d.
func (f *StepTelephony) Quiet(d time.Duration) bool {
	select {
	case <-f.calls:
		return false
	case <-time.After(d):
		return true
	}
}

// Cancelled returns how many calls were hung up because the ladder stopped.
func (f *StepTelephony) Cancelled() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.cancelled
}

// End ends the call without acceptance: busy, no_answer or declined.
func (c *StepCall) End(o aw.Outcome) {
	cause := map[aw.Outcome]int{aw.OutcomeBusy: 17, aw.OutcomeNoAnswer: 19, aw.OutcomeDeclined: 21}[o]
	c.done <- aw.CallResult{Outcome: o, Cause: cause}
}

// Accept answers, presses 1 and declines the SMS.
func (c *StepCall) Accept() {
	c.p.Answered()
	c.p.Digit("1")
	if c.p.Accepted().OfferSMS {
		c.p.SMSChoice("no")
	}
	c.done <- aw.CallResult{Outcome: aw.OutcomeAccepted, Cause: 16}
}

// Health returns the health the test set.
func (f *StepTelephony) Health() aw.Health { return f.health.Health() }

// Set sets the reported health.
func (f *StepTelephony) Set(state aw.HealthState, reason string) { f.health.Set(state, reason) }
