package gsm

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"time"

	aw "alleenwerken"

	"github.com/warthog618/modem/at"
	mgsm "github.com/warthog618/modem/gsm"
	"github.com/warthog618/modem/serial"
	"github.com/warthog618/sms"
)

var _ aw.SMSSender = (*Modem)(nil)

// Modem is one GSM modem on a serial port. It implements
// alleenwerken.SMSSender. Run must be running for SendSMS to work.
type Modem struct {
	cfg    Config
	log    *slog.Logger
	clock  aw.Clock
	enc    *sms.Encoder // one for the modem's life: concatenation references stay unique
	sendMu sync.Mutex   // one message at a time, its parts in order

	mu      sync.Mutex
	conn    *conn // nil while not set up
	st      state
	last    aw.Health
	badPIN  string // the PIN the SIM refused; never entered again
	sentLog []sentPart
	wake    chan struct{} // asks Run to poll now
}

// conn is one opened and set-up port.
type conn struct {
	port io.ReadWriteCloser
	at   *at.AT
	g    *mgsm.GSM

	ackReports bool // +CSMS=1 accepted: status reports need +CNMA
}

// New returns a modem for cfg. logger and clock may be nil (slog.Default,
// the system clock).
func New(cfg Config, logger *slog.Logger, clock aw.Clock) (*Modem, error) {
	cfg.setDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if logger == nil {
		logger = slog.Default()
	}
	if clock == nil {
		clock = aw.SystemClock{}
	}
	m := &Modem{
		cfg:   cfg,
		log:   logger.With("modem", cfg.Name, "port", cfg.Port),
		clock: clock,
		enc:   newEncoder(),
		wake:  make(chan struct{}, 1),
	}
	m.st.connErr = fmt.Sprintf("Modem %s nog niet verbonden.", cfg.Name)
	m.last = aw.Health{State: aw.HealthDown, Reason: m.st.connErr, Since: clock.Now()}
	return m, nil
}

// Name implements alleenwerken.SMSSender.
func (m *Modem) Name() string { return m.cfg.Name }

// Run owns the serial port until ctx is done: it opens the port, sets the
// modem up, polls its state, and when the modem disappears reopens the port
// by its path with backoff. It returns nil when ctx is done.
func (m *Modem) Run(ctx context.Context) error {
	wait := m.cfg.ReconnectMin
	for ctx.Err() == nil {
		start := m.clock.Now()
		err := m.session(ctx)
		if ctx.Err() != nil {
			break
		}
		if m.clock.Now().Sub(start) > time.Minute {
			wait = m.cfg.ReconnectMin
		}
		m.setConnErr(err)
		m.log.Warn("modem unavailable; reopening the port", "err", err, "retry_in", wait)
		t := m.clock.NewTimer(wait)
		select {
		case <-ctx.Done():
		case <-t.C():
		}
		t.Stop()
		wait = min(2*wait, m.cfg.ReconnectMax)
	}
	m.setConnErr(fmt.Errorf("gestopt"))
	return nil
}

func (m *Modem) setConnErr(err error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.conn = nil
	m.st.connected = false
	m.st.connErr = fmt.Sprintf("Modem %s niet bereikbaar op %s: %v; opnieuw verbinden.", m.cfg.Name, m.cfg.Port, err)
	m.st.lastErr, m.st.lastErrAt = err.Error(), m.clock.Now()
}

// session opens the port, sets the modem up and polls it until the modem
// goes away or ctx is done.
func (m *Modem) session(ctx context.Context) error {
	port, err := serial.New(serial.WithPort(m.cfg.Port), serial.WithBaud(m.cfg.Baud))
	if err != nil {
		return fmt.Errorf("openen mislukt: %w", err)
	}
	defer closeSoon(port)
	a := at.New(port, at.WithTimeout(m.cfg.CommandTimeout))
	c := &conn{port: port, at: a, g: mgsm.New(a, mgsm.WithPDUMode)}
	if err := a.AddIndication("+CDS:", m.onStatusReport(c), at.WithTrailingLine); err != nil {
		return err
	}
	if err := a.AddIndication("^RSSI:", m.onRSSI); err != nil {
		return err
	}
	if err := m.setup(c); err != nil {
		return err
	}
	m.mu.Lock()
	m.st.failStreak, m.st.pausedUntil = 0, time.Time{} // a fresh start
	m.mu.Unlock()
	m.log.Info("modem ready", "refusals", m.Status().Refusals)
	defer func() {
		m.mu.Lock()
		m.conn = nil
		m.mu.Unlock()
	}()
	for {
		m.poll(c)
		t := m.clock.NewTimer(m.cfg.PollInterval)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-a.Closed():
			t.Stop()
			m.log.Error("modem disconnected (unplugged?)")
			return fmt.Errorf("verbinding verbroken (losgekoppeld?)")
		case <-m.wake:
		case <-t.C():
		}
		t.Stop()
	}
}

// closeSoon closes the port without waiting long: closing a serial port
// blocks until a pending read returns, which a hung modem may never do.
func closeSoon(c io.Closer) {
	done := make(chan struct{})
	go func() { c.Close(); close(done) }()
	select {
	case <-done:
	case <-time.After(250 * time.Millisecond):
	}
}

// current returns the set-up connection or nil.
func (m *Modem) current() *conn {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.conn
}

// PollNow asks Run to read the modem's state at once (after a settings
// change such as a new PIN).
func (m *Modem) PollNow() {
	select {
	case m.wake <- struct{}{}:
	default:
	}
}
