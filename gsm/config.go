package gsm

import (
	"errors"
	"time"

	aw "alleenwerken"
)

// Config is the set-up of one modem.
type Config struct {
	// Name identifies the modem in the outbox and logs (default "modem").
	Name string
	// Port is the serial device, preferably a stable path like
	// /dev/serial/by-id/usb-...-if00-port0 or the udev symlink
	// /dev/alleenwerken-modem.
	Port string
	// Baud is the serial speed (default 115200).
	Baud int
	// PIN returns the SIM PIN from the stored settings ("" for none). It is
	// read each time the SIM asks for its PIN. A PIN the SIM refused is never
	// entered again automatically: only a different PIN is tried.
	PIN func() string
	// SendTimeout bounds one submitted part (+CMGS); default 60 s. A part
	// that times out may still have gone out: its outcome is unknown.
	SendTimeout time.Duration
	// LateAnswerWait is how long, after a part timed out, the modem waits
	// for the network's late answer before it is set up again and sends
	// anything else (default 20 s).
	LateAnswerWait time.Duration
	// CommandTimeout bounds every other AT command (default 10 s).
	CommandTimeout time.Duration
	// PollInterval is how often SIM, registration, signal and operator are
	// read (default 15 s).
	PollInterval time.Duration
	// ReconnectMin and ReconnectMax bound the backoff between attempts to
	// open the port (default 1 s and 30 s).
	ReconnectMin, ReconnectMax time.Duration
	// PauseAfter consecutive send failures that are not the message's own
	// fault mark the modem down for Pause, so another modem takes over
	// (defaults 3 and 2 minutes).
	PauseAfter int
	Pause      time.Duration
	// ReportWindow is how long a sent part waits for its status report
	// (default 24 h).
	ReportWindow time.Duration
	// Outbox, when set, receives delivery reports (UpdateSMS with Delivery
	// and DeliveryAt).
	Outbox aw.Outbox
	// OnReport, when set, is called with each delivery report matched to a
	// message (after the Outbox update).
	OnReport func(DeliveryReport)
}

// DefaultConfig returns a configuration for the modem on port.
func DefaultConfig(port string) Config {
	c := Config{Port: port}
	c.setDefaults()
	return c
}

func (c *Config) setDefaults() {
	if c.Name == "" {
		c.Name = "modem"
	}
	if c.Baud == 0 {
		c.Baud = 115200
	}
	if c.PIN == nil {
		c.PIN = func() string { return "" }
	}
	if c.SendTimeout == 0 {
		c.SendTimeout = 60 * time.Second
	}
	if c.LateAnswerWait == 0 {
		c.LateAnswerWait = 20 * time.Second
	}
	if c.CommandTimeout == 0 {
		c.CommandTimeout = 10 * time.Second
	}
	if c.PollInterval == 0 {
		c.PollInterval = 15 * time.Second
	}
	if c.ReconnectMin == 0 {
		c.ReconnectMin = time.Second
	}
	if c.ReconnectMax == 0 {
		c.ReconnectMax = 30 * time.Second
	}
	if c.PauseAfter == 0 {
		c.PauseAfter = 3
	}
	if c.Pause == 0 {
		c.Pause = 2 * time.Minute
	}
	if c.ReportWindow == 0 {
		c.ReportWindow = 24 * time.Hour
	}
}

// Validate reports a configuration that cannot work.
func (c Config) Validate() error {
	if c.Port == "" {
		return errors.New("gsm: no serial port configured")
	}
	if c.ReconnectMax < c.ReconnectMin {
		return errors.New("gsm: ReconnectMax is below ReconnectMin")
	}
	return nil
}
