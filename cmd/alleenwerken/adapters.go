package main

import (
	"context"
	"errors"
	"log/slog"
	"sync/atomic"
	"time"

	aw "alleenwerken"
	"alleenwerken/ari"
	"alleenwerken/gsm"
)

// openTelephony starts the ARI adapter (native, or ari-proxy over NATS). It
// does not wait for Asterisk: it connects in the background and shows in
// /healthz until then. onConnected is called at every (re)connect.
func openTelephony(conn aw.Connection, set aw.Settings, log *slog.Logger, onConnected func()) (aw.Telephony, func() error, error) {
	cfg := ariConfig(conn, set)
	cfg.OnConnected = onConnected
	t, err := ari.New(cfg, aw.SystemClock{}, log)
	if err != nil {
		return nil, nil, err
	}
	return t, t.Close, nil
}

// ariConfig is the adapter configuration for a connection and settings.
func ariConfig(conn aw.Connection, set aw.Settings) ari.Config {
	cfg := ari.DefaultConfig()
	cfg.URL, cfg.Username, cfg.Password, cfg.App, cfg.NATSURL = conn.ARIURL, conn.ARIUser, conn.ARIPassword, conn.ARIApp, conn.NATSURL
	cfg.DialTemplate, cfg.TrunkEndpoint, cfg.MaxCalls = set.DialTemplate, set.TrunkEndpoint, set.SimultaneousCall
	return cfg
}

// openAdapters starts telephony, the modems and the PBX writer for the
// connection in use: the console's when one is stored, else the config
// file's.
func (m *Main) openAdapters(ctx context.Context) error {
	c, db, log := m.Config, m.DB, m.Logger
	in, err := db.Installation(ctx)
	if err != nil {
		return err
	}
	conn := c.Connection()
	if in.Connection != nil {
		if err := in.Connection.Validate(); err != nil {
			// Its ARI password reads as empty: another key file.
			log.Error("the connection set in the console cannot be used; the config file's is used until it is saved again", "err", err)
		} else {
			conn = *in.Connection
			log.Info("connection to Asterisk and the modems as set in the console", "ari_url", conn.ARIURL, "nats_url", conn.NATSURL, "modems", conn.ModemPorts)
		}
	}
	set, err := db.Settings(ctx)
	if err != nil {
		return err
	}
	tel, closeTel, err := openTelephony(conn, set, log, m.connected.fire)
	if err != nil {
		return err
	}
	m.tel = newSwitchTelephony(tel, closeTel, aw.SystemClock{}, log.With("component", "telephony"))
	m.Telephony = m.tel
	m.closers = append(m.closers, m.tel.Close)
	modems, err := newModems(conn.ModemPorts, db, log.With("component", "gsm"))
	if err != nil {
		return err
	}
	m.setModems(modems, runModems(modems))
	m.closers = append(m.closers, func() error { m.setModems(nil, nil); return nil })

	m.pbx = &ari.PBX{ConfigDir: c.AsteriskConfigDir, SoundsDir: c.AsteriskSoundsDir, ARI: ariConfig(conn, aw.Settings{})}
	switch {
	case in.ManagesPBX() && in.SecretsMissing():
		log.Error("trunk or extension passwords cannot be read with the key file: Asterisk keeps the file it has until they are entered again in the console")
	case in.ManagesPBX():
		// The generated file follows the store, also after Asterisk was
		// reinstalled; Asterisk down is fine (it reads the file at start).
		actx, cancel := context.WithTimeout(ctx, 3*time.Second)
		t, xs := in.PBXSetup(set)
		err = m.pbx.Apply(actx, t, xs)
		cancel()
		switch {
		case err == nil:
			log.Info("trunk and extensions from the console written to Asterisk", "extensions", len(xs), "trunk", t != nil)
		case errors.Is(err, aw.ErrNotReloaded):
			log.Warn("trunk and extensions written; Asterisk loads them when it runs", "err", err)
		default:
			log.Error("writing trunk and extensions to Asterisk failed", "err", err)
		}
	}
	return nil
}

// senders returns the modems as SMS senders.
func senders(ms []*gsm.Modem) []aw.SMSSender {
	out := make([]aw.SMSSender, 0, len(ms))
	for _, x := range ms {
		out = append(out, x)
	}
	return out
}

// setModems makes ms the modems in use and closes the ones they replace
// (nil, nil: close them all).
func (m *Main) setModems(ms []*gsm.Modem, closeMs func()) {
	m.modemMu.Lock()
	old := m.closeModems
	m.modems, m.closeModems = ms, closeMs
	m.modemMu.Unlock()
	if old != nil {
		old()
	}
}

// reconnect makes telephony, the modems and the PBX writer use a connection
// saved in the console, without a restart. Telephony changes over once the
// calls in progress have ended (waiting is their number; see
// switchTelephony). The old modems finish the message they are sending and
// release their ports before the new ones open them; meanwhile messages
// wait in the outbox.
func (m *Main) reconnect(ctx context.Context, conn aw.Connection) (waiting int, err error) {
	m.reconnectMu.Lock()
	defer m.reconnectMu.Unlock()
	log := m.Logger
	modems, err := newModems(conn.ModemPorts, m.DB, log.With("component", "gsm"))
	if err != nil {
		return 0, err
	}
	set, err := m.DB.Settings(ctx)
	if err != nil {
		return 0, err
	}
	log.Warn("reconnecting with the connection set in the console", "ari_url", conn.ARIURL, "nats_url", conn.NATSURL, "modems", conn.ModemPorts)
	waiting = m.tel.Swap(func() (aw.Telephony, func() error, error) {
		return openTelephony(conn, set, log, m.connected.fire)
	})
	m.pbx.SetARI(ariConfig(conn, aw.Settings{}))
	m.Dispatcher.SetSenders(nil)
	m.setModems(nil, nil)
	m.setModems(modems, runModems(modems))
	m.Dispatcher.SetSenders(senders(modems))
	return waiting, nil
}

// hook is a callback set after the adapters that call it are opened (the
// core is made after telephony); before it is set, a call does nothing.
type hook struct{ f atomic.Pointer[func()] }

// set makes f the callback.
func (h *hook) set(f func()) { h.f.Store(&f) }

// fire calls the callback, if set.
func (h *hook) fire() {
	if f := h.f.Load(); f != nil {
		(*f)()
	}
}
