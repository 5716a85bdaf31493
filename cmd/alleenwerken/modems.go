package main

import (
	"context"
	"fmt"
	"log/slog"

	aw "alleenwerken"
	"alleenwerken/gsm"
	"alleenwerken/store"
)

// openModems starts one SMS sender per configured modem port; each owns its
// port in its own goroutine and reopens it when the modem disappears. The
// SIM PIN is read from the stored settings each time the SIM asks.
func openModems(ctx context.Context, c Config, db *store.DB, log *slog.Logger, closers *[]func() error) ([]aw.SMSSender, error) {
	pin := func() string {
		s, err := db.Settings(context.Background())
		if err != nil {
			return ""
		}
		return s.SIMPIN
	}
	runCtx, cancel := context.WithCancel(context.Background())
	var senders []aw.SMSSender
	done := make(chan struct{}, len(c.ModemPorts))
	for i, port := range c.ModemPorts {
		cfg := gsm.DefaultConfig(port)
		cfg.Name, cfg.PIN, cfg.Outbox = fmt.Sprintf("modem%d", i+1), pin, db
		m, err := gsm.New(cfg, log, aw.SystemClock{})
		if err != nil {
			cancel()
			return nil, fmt.Errorf("config: key modem.port: %w", err)
		}
		senders = append(senders, m)
		go func() { m.Run(runCtx); done <- struct{}{} }()
	}
	*closers = append(*closers, func() error {
		cancel()
		for range c.ModemPorts {
			<-done
		}
		return nil
	})
	return senders, nil
}
