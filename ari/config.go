package ari

import (
	"fmt"
	"net/url"
	"strings"
	"time"

	aw "alleenwerken"
)

// Config is how the adapter reaches Asterisk and how it calls.
type Config struct {
	// URL is ARI's base URL, e.g. http://127.0.0.1:8088/ari.
	URL string
	// Username and Password are the ARI user of ari.conf.
	Username string
	Password string
	// App is the Stasis application name (default "alleenwerken").
	App string
	// NATSURL, when set, makes the adapter talk to ari-proxy over NATS
	// (e.g. nats://127.0.0.1:4222) instead of to ARI directly.
	NATSURL string
	// ProxyPrefix is ari-proxy's subject prefix (default "ari.").
	ProxyPrefix string

	// DialTemplate dials external numbers: {e164} or {national} is replaced
	// (default "PJSIP/{e164}@trunk"). Extensions are dialled PJSIP/<endpoint>.
	DialTemplate string
	// TrunkEndpoint is the trunk's PJSIP endpoint whose state is shown in
	// Health (default "trunk").
	TrunkEndpoint string
	// MaxCalls is the number of simultaneous calls (default 4); further
	// calls wait for a free slot.
	MaxCalls int

	// ConnectTimeout bounds one connection attempt (default 5 s).
	ConnectTimeout time.Duration
	// RequestTimeout bounds one ARI request (default 5 s).
	RequestTimeout time.Duration
	// WatchdogInterval is how often Asterisk and the trunk are checked
	// (default 5 s).
	WatchdogInterval time.Duration
	// BackoffMin and BackoffMax bound the wait between connection attempts
	// (defaults 1 s and 5 s: Asterisk is near, and an alarm waits for it).
	BackoffMin time.Duration
	BackoffMax time.Duration
	// ConnectGrace is how long a call waits for the connection after the
	// adapter started or the connection was lost (default 10 s), before it
	// is reported as not placed; negative: no wait.
	ConnectGrace time.Duration
	// OnConnected, when set, is called after every (re)connect, once the
	// adapter can place calls (the core then calls the ladders that wait
	// in back-off at once). It must not block.
	OnConnected func()
	// PromptWait is the wait for a digit after each "press 1" and after the
	// SMS offer (default 5 s).
	PromptWait time.Duration
}

// DefaultConfig returns a configuration for the appliance's own Asterisk.
func DefaultConfig() Config {
	return Config{
		URL:              "http://127.0.0.1:8088/ari",
		Username:         "alleenwerken",
		App:              "alleenwerken",
		ProxyPrefix:      "ari.",
		DialTemplate:     "PJSIP/{e164}@trunk",
		TrunkEndpoint:    "trunk",
		MaxCalls:         4,
		ConnectTimeout:   5 * time.Second,
		RequestTimeout:   5 * time.Second,
		WatchdogInterval: 5 * time.Second,
		BackoffMin:       time.Second,
		BackoffMax:       5 * time.Second,
		ConnectGrace:     10 * time.Second,
		PromptWait:       5 * time.Second,
	}
}

// withDefaults fills the zero fields from DefaultConfig.
func (c Config) withDefaults() Config {
	d := DefaultConfig()
	if c.URL == "" {
		c.URL = d.URL
	}
	if c.Username == "" {
		c.Username = d.Username
	}
	if c.App == "" {
		c.App = d.App
	}
	if c.ProxyPrefix == "" {
		c.ProxyPrefix = d.ProxyPrefix
	}
	if c.DialTemplate == "" {
		c.DialTemplate = d.DialTemplate
	}
	if c.TrunkEndpoint == "" {
		c.TrunkEndpoint = d.TrunkEndpoint
	}
	if c.MaxCalls <= 0 {
		c.MaxCalls = d.MaxCalls
	}
	if c.ConnectTimeout <= 0 {
		c.ConnectTimeout = d.ConnectTimeout
	}
	if c.RequestTimeout <= 0 {
		c.RequestTimeout = d.RequestTimeout
	}
	if c.WatchdogInterval <= 0 {
		c.WatchdogInterval = d.WatchdogInterval
	}
	if c.BackoffMin <= 0 {
		c.BackoffMin = d.BackoffMin
	}
	if c.BackoffMax < c.BackoffMin {
		c.BackoffMax = max(d.BackoffMax, c.BackoffMin)
	}
	if c.PromptWait <= 0 {
		c.PromptWait = d.PromptWait
	}
	if c.ConnectGrace < 0 {
		c.ConnectGrace = 0
	} else if c.ConnectGrace == 0 {
		c.ConnectGrace = d.ConnectGrace
	}
	return c
}

// Validate checks the configuration after defaults are applied.
func (c Config) Validate() error {
	if c.NATSURL == "" {
		u, err := url.Parse(c.URL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return aw.FieldError("ari.url", "%q is geen ARI-adres (http://host:8088/ari).", c.URL)
		}
		if c.Password == "" {
			return aw.FieldError("ari.password", "Het ARI-wachtwoord ontbreekt.")
		}
	} else if !strings.HasPrefix(c.NATSURL, "nats://") {
		return aw.FieldError("ari.nats_url", "%q is geen NATS-adres (nats://host:4222).", c.NATSURL)
	}
	if !strings.Contains(c.DialTemplate, "{e164}") && !strings.Contains(c.DialTemplate, "{national}") {
		return aw.FieldError("dial_template", "Het belsjabloon bevat {e164} of {national}.")
	}
	if strings.ContainsAny(c.App, " /?&") {
		return aw.FieldError("ari.app", "%q is geen geldige Stasis-applicatienaam.", c.App)
	}
	return nil
}

// websocketURL returns ARI's event websocket URL for the application.
func (c Config) websocketURL() string {
	u := strings.TrimRight(c.URL, "/")
	switch {
	case strings.HasPrefix(u, "https://"):
		u = "wss://" + strings.TrimPrefix(u, "https://")
	case strings.HasPrefix(u, "http://"):
		u = "ws://" + strings.TrimPrefix(u, "http://")
	}
	return fmt.Sprintf("%s/events?app=%s", u, url.QueryEscape(c.App))
}

// target names where the adapter connects, for logs and health.
func (c Config) target() string {
	if c.NATSURL != "" {
		return "ari-proxy op " + c.NATSURL
	}
	return "ARI op " + c.URL
}
