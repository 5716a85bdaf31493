package demo

import (
	"context"
	"fmt"
	"io"
	"sync"
	"time"

	aw "alleenwerken"
)

// Modem is a simulated GSM modem: it prints every SMS instead of sending it.
type Modem struct {
	Out io.Writer
	mu  sync.Mutex
	ref int
}

var _ aw.SMSSender = (*Modem)(nil)

// NewModem returns a simulated modem printing to out.
func NewModem(out io.Writer) *Modem { return &Modem{Out: out} }

// Name identifies the simulated modem.
func (m *Modem) Name() string { return "demo-modem" }

// Health is always ok.
func (m *Modem) Health() aw.Health {
	return aw.Health{State: aw.HealthOK, Reason: "SIMULATIE: geen echte modem"}
}

// SendSMS prints the message.
func (m *Modem) SendSMS(ctx context.Context, s *aw.SMS) (aw.SMSReceipt, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.ref = (m.ref + 1) % 256
	fmt.Fprintf(m.Out, "%s %s SMS (%s) aan %s: %s\n", time.Now().Format("15:04:05"), simSMSLabel, s.Kind, s.To, s.Text)
	return aw.SMSReceipt{Refs: []int{m.ref}}, nil
}
