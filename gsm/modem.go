package gsm

import (
	"context"
	"errors"
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

	reportMu sync.Mutex // one status report at a time

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
	tap  *tap
	at   *at.AT
	g    *mgsm.GSM

	ackReports bool // +CSMS=1 accepted: status reports need +CNMA

	stored  *storedQueue // stored status reports (+CDSI) to read
	memMu   sync.Mutex   // held while selecting, reading, deleting stored messages and during the set-up
	readMem string       // the memory +CMGR/+CMGL/+CMGD work on, "" unknown; guarded by memMu
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

// Run owns the serial port until ctx is done; call it once. It opens the
// port, sets the modem up, polls its state, and when the modem disappears
// reopens the port by its path with backoff. It returns nil when ctx is done.
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
// goes away (EOF: unplugged) or ctx is done. A modem that stops answering
// keeps its port: a serial read cannot be interrupted, so a second open
// would leave the old reader stealing the replies. It is set up again on
// the same port once it answers.
func (m *Modem) session(ctx context.Context) error {
	port, err := serial.New(serial.WithPort(m.cfg.Port), serial.WithBaud(m.cfg.Baud))
	if err != nil {
		return fmt.Errorf("openen mislukt: %w", err)
	}
	defer closeSoon(port)
	tp := newTap(port)
	a := at.New(tp, at.WithTimeout(m.cfg.CommandTimeout))
	c := &conn{port: port, tap: tp, at: a, g: mgsm.New(a, mgsm.WithPDUMode), stored: newStoredQueue()}
	if err := a.AddIndication("+CDS:", m.onStatusReport(c), at.WithTrailingLine); err != nil {
		return err
	}
	if err := a.AddIndication("+CDSI:", m.onStoredReport(c)); err != nil {
		return err
	}
	if err := a.AddIndication("^RSSI:", m.onRSSI); err != nil {
		return err
	}
	stop, stopped := make(chan struct{}), make(chan struct{})
	go func() { m.readStoredReports(c, stop); close(stopped) }()
	defer func() { close(stop); <-stopped }() // after the report in hand
	defer func() {
		m.mu.Lock()
		m.conn = nil
		m.mu.Unlock()
	}()
	if err := m.waitReady(ctx, c); err != nil {
		return err
	}
	m.mu.Lock()
	m.st.failStreak, m.st.pausedUntil = 0, time.Time{} // a fresh start
	m.mu.Unlock()
	m.log.Info("modem ready", "refusals", m.Status().Refusals)
	silent := 0 // polls in a row the modem did not answer
	for {
		if err := m.poll(c); errors.Is(err, at.ErrDeadlineExceeded) {
			silent++
			if silent >= 3 {
				m.log.Error("modem does not answer; setting it up again when it does")
				m.setConnErr(fmt.Errorf("modem antwoordt niet"))
				if err := m.waitReady(ctx, c); err != nil {
					return err
				}
				m.log.Info("modem answers again")
				silent = 0
			}
		} else {
			silent = 0
		}
		if err := m.sleep(ctx, c, m.cfg.PollInterval); err != nil {
			return err
		}
	}
}

// waitReady runs the set-up until it succeeds, backing off between tries.
func (m *Modem) waitReady(ctx context.Context, c *conn) error {
	wait := m.cfg.ReconnectMin
	for {
		err := m.setup(c)
		if err == nil {
			return nil
		}
		m.setConnErr(err)
		m.log.Warn("modem set-up failed; trying again", "err", err, "retry_in", wait)
		if err := m.sleep(ctx, c, wait); err != nil {
			return err
		}
		wait = min(2*wait, m.cfg.ReconnectMax)
	}
}

// sleep waits d, or until PollNow; it fails when ctx is done or the modem
// went away.
func (m *Modem) sleep(ctx context.Context, c *conn, d time.Duration) error {
	t := m.clock.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-c.at.Closed():
		m.log.Error("modem disconnected (unplugged?)")
		return fmt.Errorf("verbinding verbroken (losgekoppeld?)")
	case <-m.wake:
	case <-t.C():
	}
	return nil
}

// closeSoon closes the port without waiting long: closing a serial port
// blocks until a pending read returns, which a hung modem may never do.
func closeSoon(c io.Closer) {
	done := make(chan struct{})
	go func() { c.Close(); close(done) }()
	select {
	case <-done:
	case <-time.After(100 * time.Millisecond):
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
