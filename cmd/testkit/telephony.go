package testkit

import (
	"context"
	"errors"
	"sync"

	aw "alleenwerken"
)

// What a scripted number does when called (the values of a Telephony's
// script).
const (
	Busy       = "busy"        // busy at once (cause 17)
	NoAnswer   = "no_answer"   // rings out unanswered (cause 19); the default
	Accept     = "accept"      // answers, presses 1, declines an SMS offer
	AcceptSMS  = "accept_sms"  // answers, presses 1, takes an SMS offer
	Decline    = "decline"     // declines (cause 21)
	Hold       = "hold"        // answers and holds the line until the call's context ends or Release
	Voicemail  = "voicemail"   // answered by voicemail: answered, no digit, no answer
	AcceptDrop = "accept_drop" // answers, presses 1 and hangs up before the SMS offer
	Down       = "down"        // the call cannot be placed (an infrastructure error)
	Ring       = "ring"        // rings until the call's context ends; nobody ever answers
)

// ErrUnreachable is what a call fails with when the telephony is down.
var ErrUnreachable = errors.New("asterisk unreachable")

// Telephony is a scripted aw.Telephony: each number behaves as its script
// says (Busy, Accept, ...; unscripted numbers as the default, NoAnswer
// unless WithDefault says otherwise). It records the calls placed and the
// hang-ups asked for. While its health is down no call is placed.
type Telephony struct {
	health   Health
	mu       sync.Mutex
	script   map[string]string
	fallback string
	calls    []aw.CallRequest
	hangups  []string
	release  chan struct{}
	once     sync.Once
}

// NewTelephony returns a healthy telephony with script, number to
// behaviour; script may be nil.
func NewTelephony(script map[string]string) *Telephony {
	return &Telephony{health: Health{state: aw.HealthOK}, script: script, fallback: NoAnswer, release: make(chan struct{})}
}

// WithDefault sets what unscripted numbers do and returns t; call it before
// the telephony is used.
func (t *Telephony) WithDefault(behaviour string) *Telephony {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.fallback = behaviour
	return t
}

// SetDown takes the telephony down (health down, reason "test: down"; no
// call is placed) or brings it back (health ok, no reason).
func (t *Telephony) SetDown(down bool) {
	if down {
		t.health.Set(aw.HealthDown, "test: down")
	} else {
		t.health.Set(aw.HealthOK, "")
	}
}

// Release ends every held call, now and later; it is safe to call more
// than once.
func (t *Telephony) Release() { t.once.Do(func() { close(t.release) }) }

// Calls returns the calls placed, in order.
func (t *Telephony) Calls() []aw.CallRequest {
	t.mu.Lock()
	defer t.mu.Unlock()
	return append([]aw.CallRequest(nil), t.calls...)
}

// Numbers returns the numbers called, in order.
func (t *Telephony) Numbers() []string {
	t.mu.Lock()
	defer t.mu.Unlock()
	var n []string
	for _, c := range t.calls {
		n = append(n, c.Number)
	}
	return n
}

// Hangups returns the call ids hung up, in order.
func (t *Telephony) Hangups() []string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return append([]string(nil), t.hangups...)
}

// Hangup records the hang-up.
func (t *Telephony) Hangup(ctx context.Context, id string) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.hangups = append(t.hangups, id)
	return nil
}

// Call plays the script of req.Number; it is recorded unless the call
// cannot be placed.
func (t *Telephony) Call(ctx context.Context, req aw.CallRequest, p aw.CallProgress) (aw.CallResult, error) {
	t.mu.Lock()
	b, ok := t.script[req.Number]
	if !ok {
		b = t.fallback
	}
	down := t.health.down() || b == Down
	if !down {
		t.calls = append(t.calls, req)
	}
	t.mu.Unlock()
	if down {
		return aw.CallResult{}, ErrUnreachable
	}
	switch b {
	case Busy:
		return aw.CallResult{Outcome: aw.OutcomeBusy, Cause: 17, CauseText: "User busy"}, nil
	case Decline:
		return aw.CallResult{Outcome: aw.OutcomeDeclined, Cause: 21}, nil
	case Ring:
		<-ctx.Done()
		return aw.CallResult{}, ctx.Err()
	case Hold:
		p.Answered()
		select {
		case <-ctx.Done():
		case <-t.release:
		}
		return aw.CallResult{Outcome: aw.OutcomeFailed, Cause: 16, Reason: "hung up"}, nil
	case Voicemail:
		p.Answered()
		return aw.CallResult{Outcome: aw.OutcomeNoAnswer, Cause: 16}, nil
	case Accept, AcceptSMS:
		p.Answered()
		p.Digit("1")
		if plan := p.Accepted(); plan.OfferSMS && b == AcceptSMS {
			p.SMSChoice("yes")
		} else if plan.OfferSMS {
			p.SMSChoice("no")
		}
		return aw.CallResult{Outcome: aw.OutcomeAccepted, Cause: 16}, nil
	case AcceptDrop:
		p.Answered()
		p.Digit("1")
		p.Accepted()
		return aw.CallResult{Outcome: aw.OutcomeDeclined, Cause: 16}, nil
	}
	return aw.CallResult{Outcome: aw.OutcomeNoAnswer, Cause: 19, CauseText: "No answer"}, nil
}

// Health returns the health the test set.
func (t *Telephony) Health() aw.Health { return t.health.Health() }

// Set sets the reported health.
func (t *Telephony) Set(state aw.HealthState, reason string) { t.health.Set(state, reason) }
