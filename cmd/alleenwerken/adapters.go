package main

import (
	"context"
	"log/slog"

	aw "alleenwerken"
	"alleenwerken/ari"
	"alleenwerken/store"
)

// openTelephony starts the ARI adapter (native, or ari-proxy over NATS). It
// does not wait for Asterisk: it connects in the background and shows in
// /healthz until then.
func openTelephony(ctx context.Context, c Config, db *store.DB, log *slog.Logger) (aw.Telephony, func() error, error) {
	set, err := db.Settings(ctx)
	if err != nil {
		return nil, nil, err
	}
	cfg := ari.DefaultConfig()
	cfg.URL, cfg.Username, cfg.Password, cfg.App, cfg.NATSURL = c.ARIURL, c.ARIUser, c.ARIPassword, c.ARIApp, c.NATSURL
	cfg.DialTemplate, cfg.TrunkEndpoint, cfg.MaxCalls = set.DialTemplate, set.TrunkEndpoint, set.SimultaneousCall
	t, err := ari.New(cfg, aw.SystemClock{}, log)
	if err != nil {
		return nil, nil, err
	}
	return t, t.Close, nil
}
