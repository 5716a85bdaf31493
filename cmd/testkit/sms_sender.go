package testkit

import (
	"context"
	"sync"

	aw "alleenwerken"
)

// SMSSender is a fake modem: an aw.SMSSender that fails sends from a
// script of errors, then succeeds, recording what it sent.
type SMSSender struct {
	name string
	mu   sync.Mutex
	errs []error
	sent []string
	down bool
}

// NewSMSSender returns a healthy sender called name whose next sends fail
// with errs, in order.
func NewSMSSender(name string, errs ...error) *SMSSender {
	return &SMSSender{name: name, errs: errs}
}

// Name returns the sender's name.
func (f *SMSSender) Name() string { return f.name }

// Health is down while SetDown says so, else ok.
func (f *SMSSender) Health() aw.Health {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.down {
		return aw.Health{State: aw.HealthDown, Reason: "test"}
	}
	return aw.Health{State: aw.HealthOK}
}

// SetDown sets whether the sender reports itself down; it sends anyway.
func (f *SMSSender) SetDown(down bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.down = down
}

// FailNext replaces the script: the next sends fail with errs, in order.
func (f *SMSSender) FailNext(errs ...error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.errs = errs
}

// SendSMS fails with the script's next error, or records m as sent; the
// receipt's reference is the count sent so far.
func (f *SMSSender) SendSMS(ctx context.Context, m *aw.SMS) (aw.SMSReceipt, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.errs) > 0 {
		err := f.errs[0]
		f.errs = f.errs[1:]
		return aw.SMSReceipt{}, err
	}
	f.sent = append(f.sent, m.ID)
	return aw.SMSReceipt{Refs: []int{len(f.sent)}}, nil
}

// Sent returns the ids of the messages sent, in order.
func (f *SMSSender) Sent() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.sent...)
}

// Count returns how many messages were sent.
func (f *SMSSender) Count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.sent)
}
