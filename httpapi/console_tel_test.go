package httpapi_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"alleenwerken"
)

// StepTelephony is a phone system whose calls wait until the test ends them.
type StepTelephony struct {
	FakeHealth
	calls     chan *StepCall
	closed    chan struct{}
	once      sync.Once
	mu        sync.Mutex
	cancelled int
}

// StepCall is one call in progress.
type StepCall struct {
	Req  alleenwerken.CallRequest
	p    alleenwerken.CallProgress
	done chan alleenwerken.CallResult
}

// NewStepTelephony returns a healthy stepped phone system.
func NewStepTelephony() *StepTelephony {
	return &StepTelephony{FakeHealth: FakeHealth{state: alleenwerken.HealthOK, reason: "Asterisk verbonden."},
		calls: make(chan *StepCall), closed: make(chan struct{})}
}

// Close lets every waiting call end.
func (f *StepTelephony) Close() { f.once.Do(func() { close(f.closed) }) }

// Call hands the call to the test and waits for its end or the ladder's
// stop.
func (f *StepTelephony) Call(ctx context.Context, req alleenwerken.CallRequest, p alleenwerken.CallProgress) (alleenwerken.CallResult, error) {
	c := &StepCall{Req: req, p: p, done: make(chan alleenwerken.CallResult, 1)}
	select {
	case f.calls <- c:
	case <-ctx.Done():
		return alleenwerken.CallResult{}, ctx.Err()
	case <-f.closed:
		return alleenwerken.CallResult{}, context.Canceled
	}
	select {
	case r := <-c.done:
		return r, nil
	case <-ctx.Done():
		f.mu.Lock()
		f.cancelled++
		f.mu.Unlock()
		return alleenwerken.CallResult{Outcome: alleenwerken.OutcomeFailed, Reason: "hung up: ladder stopped"}, nil
	case <-f.closed:
		return alleenwerken.CallResult{Outcome: alleenwerken.OutcomeFailed, Reason: "test over"}, nil
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
func (c *StepCall) End(o alleenwerken.Outcome) {
	cause := map[alleenwerken.Outcome]int{alleenwerken.OutcomeBusy: 17, alleenwerken.OutcomeNoAnswer: 19, alleenwerken.OutcomeDeclined: 21}[o]
	c.done <- alleenwerken.CallResult{Outcome: o, Cause: cause}
}

// Accept answers, presses 1 and declines the SMS.
func (c *StepCall) Accept() {
	c.p.Answered()
	c.p.Digit("1")
	if c.p.Accepted().OfferSMS {
		c.p.SMSChoice("no")
	}
	c.done <- alleenwerken.CallResult{Outcome: alleenwerken.OutcomeAccepted, Cause: 16}
}
