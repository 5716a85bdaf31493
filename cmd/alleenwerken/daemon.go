package main

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-systemd/v22/daemon"

	aw "alleenwerken"
	"alleenwerken/ari"
	"alleenwerken/cmd/internal/demo"
	"alleenwerken/gsm"
	"alleenwerken/httpapi"
	"alleenwerken/store"
)

// Main is the daemon with everything wired; the end-to-end tests drive the
// same code.
type Main struct {
	Config Config
	Logger *slog.Logger
	Out    io.Writer // the demo's simulated telephony and modem print here

	DB         *store.DB
	Service    *aw.Service
	Dispatcher *aw.Dispatcher
	Users      *aw.UserService   // console users, audited through every door
	Devices    *aw.DeviceService // app device tokens, audited through every door
	Backups    *aw.BackupService // backups on request, audited through every door
	Telephony  aw.Telephony
	HTTP       *httpapi.Server
	admin      *adminServer
	tel        *switchTelephony // m.Telephony outside the demo
	pbx        *ari.PBX         // trunk, extensions and prompts from the console
	connected  hook             // telephony (re)connected: wakes the ladders in back-off

	modemMu     sync.Mutex
	modems      []*gsm.Modem // for the console's health page
	closeModems func()
	reconnectMu sync.Mutex

	closers []func() error // adapters, closed in reverse order
	cancel  context.CancelFunc
	done    chan struct{}
}

// NewMain returns a daemon for cfg, logging to stderr.
func NewMain(cfg Config, stdout, stderr io.Writer) *Main {
	level := slog.LevelInfo
	switch strings.ToLower(cfg.LogLevel) {
	case "debug":
		level = slog.LevelDebug
	case "warn":
		level = slog.LevelWarn
	case "error":
		level = slog.LevelError
	}
	return &Main{Config: cfg, Out: stdout, Logger: slog.New(aw.RedactingHandler{Next: slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level})})}
}

// Open opens the store, seeds the settings on first start, starts the
// adapters, the core and the HTTP server. It does not wait for Asterisk or
// the modem: they connect in the background and show in /healthz.
func (m *Main) Open(ctx context.Context) error {
	c := m.Config
	log := m.Logger
	if c.Demo {
		fmt.Fprintln(m.Out, "*** DEMO: gesimuleerde telefonie en modem; er wordt niemand echt gebeld of ge-sms't. ***")
		log.Warn("DEMO mode: simulated telephony and modem; nobody is really called")
	}
	var tlsConfig *tls.Config
	if c.TLSCert != "" {
		cert, err := tls.LoadX509KeyPair(c.TLSCert, c.TLSKey)
		if err != nil {
			return fmt.Errorf("config: key tls.cert: %w", err)
		}
		tlsConfig = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	}
	if err := os.MkdirAll(filepath.Dir(c.Database), 0o750); err != nil {
		return fmt.Errorf("config: key database: %w", err)
	}
	db, err := store.Open(c.Database, log.With("component", "store"))
	if err != nil {
		return err
	}
	m.DB = db
	// Before anything is stored: the passwords and the SIM PIN are sealed
	// with a key that backups do not carry.
	if err := db.UseKeyFile(ctx, c.secretKeyPath()); err != nil {
		return fmt.Errorf("config: key secret_key: %w", err)
	}
	if seeded, err := db.SeedSettings(ctx, c.Settings); err != nil {
		return fmt.Errorf("seeding settings: %w", err)
	} else if seeded {
		log.Info("settings seeded from the config file", "path", c.Database)
	}

	var sms []aw.SMSSender
	switch {
	case c.Demo && len(c.ModemPorts) > 0:
		// The demo's telephony with a real modem (or a simulator on a
		// pseudo-terminal): the SMS path can be tried before Asterisk is.
		m.Telephony = demo.NewTelephony(m.Out)
		modems, err := newModems(c.ModemPorts, db, log.With("component", "gsm"))
		if err != nil {
			return err
		}
		m.setModems(modems, runModems(modems))
		m.closers = append(m.closers, func() error { m.setModems(nil, nil); return nil })
		sms = senders(modems)
	case c.Demo:
		m.Telephony = demo.NewTelephony(m.Out)
		sms = []aw.SMSSender{demo.NewModem(m.Out)}
	default:
		if err := m.openAdapters(ctx); err != nil {
			return err
		}
		sms = senders(m.modems)
	}

	m.Dispatcher = &aw.Dispatcher{Outbox: db, Senders: sms, Clock: aw.SystemClock{}, Logger: log.With("component", "sms")}
	m.Service = aw.NewService(db, m.Telephony, aw.SystemClock{}, log.With("component", "core"))
	m.Service.SMS = m.Dispatcher
	m.Service.Notify = m.Dispatcher.Notify
	m.connected.set(m.Service.TelephonyConnected)

	runCtx, cancel := context.WithCancel(context.Background())
	m.cancel = cancel
	m.done = make(chan struct{})
	monitor := &aw.Monitor{
		Parts: map[string]aw.HealthReporter{"telefonie": m.Telephony, "sms": m.Dispatcher, "opslag": db},
		Store: db, Clock: aw.SystemClock{}, Logger: log.With("component", "monitor"), Notify: m.Dispatcher.Notify,
	}
	go func() {
		defer close(m.done)
		mon := make(chan struct{})
		go func() { monitor.Run(runCtx); close(mon) }()
		if err := m.Dispatcher.Run(runCtx); err != nil {
			log.Error("sms dispatcher stopped", "err", err)
		}
		<-mon
	}()
	if err := m.Service.Open(ctx); err != nil {
		return err
	}

	m.Users = aw.NewUserService(db, aw.SystemClock{}, log.With("component", "users"))
	m.Devices = aw.NewDeviceService(db, aw.SystemClock{}, log.With("component", "devices"))
	m.Backups = aw.NewBackupService(db, aw.SystemClock{}, log.With("component", "backup"))

	hc := httpapi.Config{
		Sessions: m.Service, Devices: db, Logger: log.With("component", "http"),
		Health: map[string]aw.HealthReporter{"storage": db, "telephony": m.Telephony, "sms": m.Dispatcher},
	}
	hc.TLSConfig = tlsConfig
	m.HTTP = httpapi.NewServer(hc)
	var lastBackup func() (time.Time, bool)
	if c.BackupDir != "" {
		set, _ := db.Settings(ctx)
		b := &store.Backups{DB: db, Dir: c.BackupDir, Keep: 7, Hour: 3, Location: set.Location(),
			Clock: aw.SystemClock{}, Logger: log.With("component", "backup")}
		lastBackup = b.Last
		bctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() { b.Run(bctx); close(done) }()
		m.closers = append(m.closers, func() error { cancel(); <-done; return nil })
	} else {
		log.Warn("no backup_dir: no scheduled backups")
	}
	logins, err := aw.NewLoginService(ctx, db, aw.SystemClock{}, log.With("component", "login"))
	if err != nil {
		return err
	}
	reports, err := aw.NewReportService(ctx, db, m.Service, aw.SystemClock{}, log.With("component", "reports"))
	if err != nil {
		return err
	}
	cc := httpapi.ConsoleConfig{
		Logins: logins, Reports: reports, Sessions: m.Service, Outbox: m.Dispatcher, Audit: aw.NewAuditLog(db),
		TestAlarms: m.Service, Users: m.Users, Devices: m.Devices, Clock: aw.SystemClock{},
		Settings: aw.NewSettingsService(db, aw.SystemClock{}, log.With("component", "settings")),
		Health:   hc.Health, DatabasePath: c.Database, Logger: log.With("component", "console"),
		Details: m.details, LastBackup: lastBackup,
	}
	cc.Installation = aw.NewInstallationService(db, aw.SystemClock{}, log.With("component", "installation"))
	cc.Backups = m.Backups
	if !c.Demo {
		cc.Connection, cc.Reconnect = c.Connection, m.reconnect
		cc.Installation.PBX, cc.Installation.Check = m.pbx, checkConnection
	}
	console, err := httpapi.NewConsole(cc)
	if err != nil {
		return err
	}
	m.HTTP.MountConsole(console)
	if err := m.HTTP.Open(c.Listen); err != nil {
		return fmt.Errorf("config: key listen: %w", err)
	}
	if c.AdminSocket != "" {
		m.admin = &adminServer{users: m.Users, devices: m.Devices, backups: m.Backups, log: log.With("component", "admin")}
		if err := m.admin.Open(c.AdminSocket); err != nil {
			return fmt.Errorf("config: key admin_socket: %w", err)
		}
	}
	log.Info("Alleen Werken is running", "listen", m.HTTP.Addr(), "database", c.Database, "demo", c.Demo)
	if c.Demo {
		fmt.Fprintf(m.Out, "*** DEMO draait op http://%s ; admin-socket %s ***\n", m.HTTP.Addr(), c.AdminSocket)
	}
	daemon.SdNotify(false, daemon.SdNotifyReady)
	return nil
}

// Close stops the HTTP server, the ladders, the SMS dispatcher and the
// adapters (which hang up the calls they placed), then closes the store.
func (m *Main) Close() error {
	var errs []error
	if m.HTTP != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		errs = append(errs, m.HTTP.Close(ctx))
		cancel()
	}
	if m.admin != nil {
		errs = append(errs, m.admin.Close())
	}
	if m.Service != nil {
		errs = append(errs, m.Service.Close())
	}
	if m.cancel != nil {
		m.cancel()
		<-m.done
	}
	for i := len(m.closers) - 1; i >= 0; i-- {
		errs = append(errs, m.closers[i]())
	}
	if m.DB != nil {
		errs = append(errs, m.DB.Close())
	}
	return errors.Join(errs...)
}
