package main

import (
	"context"
	"fmt"
	"log/slog"

	aw "alleenwerken"
	"alleenwerken/gsm"
	"alleenwerken/httpapi"
	"alleenwerken/store"
)

// modemDetails returns one health-page line per modem: SIM, signal,
// registration and operator.
func (m *Main) modemDetails(ctx context.Context) []httpapi.HealthDetail {
	var out []httpapi.HealthDetail
	m.modemMu.Lock()
	modems := m.modems
	m.modemMu.Unlock()
	for _, x := range modems {
		st := x.Status()
		h := st.Health
		detail := fmt.Sprintf("SIM %s, signaal %d dBm, netwerk %s, operator %s", orUnknown(st.SIM), st.SignalDBm, orUnknown(string(st.Registration)), orUnknown(st.Operator))
		if len(st.Refusals) > 0 {
			detail += fmt.Sprintf(", geweigerd: %v", st.Refusals)
		}
		h.Reason = h.Reason + " (" + detail + ")"
		out = append(out, httpapi.HealthDetail{Name: "Modem " + st.Name + " (" + st.Port + ")", Health: h})
	}
	return out
}

func orUnknown(s string) string {
	if s == "" {
		return "onbekend"
	}
	return s
}

// newModems makes one SMS sender per modem port; nothing is opened yet.
// The SIM PIN is read from the stored settings each time the SIM asks.
func newModems(ports []string, db *store.DB, log *slog.Logger) ([]*gsm.Modem, error) {
	pin := func() string {
		s, err := db.Settings(context.Background())
		if err != nil {
			return ""
		}
		return s.SIMPIN
	}
	var modems []*gsm.Modem
	for i, port := range ports {
		cfg := gsm.DefaultConfig(port)
		cfg.Name, cfg.PIN, cfg.Outbox = fmt.Sprintf("modem%d", i+1), pin, db
		m, err := gsm.New(cfg, log, aw.SystemClock{})
		if err != nil {
			return nil, fmt.Errorf("config: key modem.port: %w", err)
		}
		modems = append(modems, m)
	}
	return modems, nil
}

// runModems runs each modem in its own goroutine: it owns its port and
// reopens it when the modem disappears. The returned func stops them and
// waits.
func runModems(modems []*gsm.Modem) func() {
	runCtx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{}, len(modems))
	for _, m := range modems {
		go func() { m.Run(runCtx); done <- struct{}{} }()
	}
	return func() {
		cancel()
		for range modems {
			<-done
		}
	}
}
