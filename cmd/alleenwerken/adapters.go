package main

import (
	"context"
	"errors"
	"log/slog"

	aw "alleenwerken"
	"alleenwerken/store"
)

// openTelephony starts the ARI adapter (native or through ari-proxy over
// NATS). It does not wait for Asterisk.
func openTelephony(ctx context.Context, c Config, db *store.DB, log *slog.Logger) (aw.Telephony, func() error, error) {
	return nil, nil, errors.New("the ARI telephony adapter is not wired yet: run the demo")
}

// openModems starts one SMS sender per configured modem port.
func openModems(ctx context.Context, c Config, db *store.DB, log *slog.Logger, closers *[]func() error) ([]aw.SMSSender, error) {
	return nil, errors.New("the GSM modem adapter is not wired yet: run the demo")
}
