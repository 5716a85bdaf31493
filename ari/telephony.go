package ari

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	aw "alleenwerken"

	"github.com/CyCoreSystems/ari/v5"
)

// Telephony places alarm calls through Asterisk. It connects in the
// background: New never blocks, and Health says "down" with the reason until
// Asterisk answers.
type Telephony struct {
	cfg   Config
	log   *slog.Logger
	clock aw.Clock
	limit *limiter

	closing chan struct{} // closed by Close: calls hang up
	stopped chan struct{} // closed when the monitor loop has ended
	cancel  context.CancelFunc
	calls   sync.WaitGroup
	once    sync.Once

	mu      sync.Mutex
	closed  bool
	link    *link
	up      chan struct{} // closed while link is set
	health  aw.Health
	trunk   string           // trunk endpoint state: online, offline, unknown
	active  map[string]*call // calls in progress by channel id
	created map[string]bool  // channels this adapter originated, not yet destroyed
	orphans map[string]bool  // channels of lost calls, hung up after a reconnect
	trunkEP string
}

var _ aw.Telephony = (*Telephony)(nil)

// New returns a Telephony and starts connecting to Asterisk in the
// background. clock and logger may be nil.
func New(cfg Config, clock aw.Clock, logger *slog.Logger) (*Telephony, error) {
	cfg = cfg.withDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if clock == nil {
		clock = aw.SystemClock{}
	}
	if logger == nil {
		logger = slog.Default()
	}
	t := &Telephony{
		cfg:     cfg,
		log:     logger.With("component", "ari", "app", cfg.App),
		clock:   clock,
		limit:   newLimiter(cfg.MaxCalls),
		closing: make(chan struct{}),
		stopped: make(chan struct{}),
		up:      make(chan struct{}),
		active:  map[string]*call{},
		created: map[string]bool{},
		orphans: map[string]bool{},
		trunkEP: cfg.TrunkEndpoint,
		trunk:   "unknown",
	}
	t.health = aw.Health{State: aw.HealthDown,
		Reason: "Nog geen verbinding met Asterisk (" + cfg.target() + ").", Since: clock.Now()}
	ctx, cancel := context.WithCancel(context.Background())
	t.cancel = cancel
	go func() {
		defer close(t.stopped)
		t.monitor(ctx)
	}()
	return t, nil
}

// applyRequest takes what a call request carries of the run-time
// settings, read afresh for each attempt: the trunk endpoint shown in
// Health and the number of simultaneous calls.
func (t *Telephony) applyRequest(req aw.CallRequest) {
	if req.Trunk != "" {
		t.mu.Lock()
		t.trunkEP = req.Trunk
		t.mu.Unlock()
	}
	if req.MaxCalls > 0 {
		t.limit.resize(req.MaxCalls)
	}
}

// Health returns the cached health of the connection to Asterisk and of the
// trunk; it never blocks on I/O.
func (t *Telephony) Health() aw.Health {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.health
}

// TrunkState returns the trunk endpoint's state as Asterisk reports it
// ("online", "offline" or "unknown").
func (t *Telephony) TrunkState() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.trunk
}

// Connected reports whether the adapter has a live connection to Asterisk.
func (t *Telephony) Connected() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.link != nil
}

// WaitConnected waits until the adapter is connected or ctx ends.
func (t *Telephony) WaitConnected(ctx context.Context) error {
	t.mu.Lock()
	up := t.up
	t.mu.Unlock()
	select {
	case <-up:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("%s: %w", t.Health().Reason, ctx.Err())
	}
}

// awaitLink waits, while there is no live link, for one, but only until
// ConnectGrace has passed since the connection went down (or the adapter
// started): a call just after a start or a reconnect is placed as soon as
// Asterisk answers, while a call during a real outage is reported as not
// placed at once.
func (t *Telephony) awaitLink(ctx context.Context) {
	t.mu.Lock()
	l, up, since := t.link, t.up, t.health.Since
	t.mu.Unlock()
	if l != nil {
		return
	}
	grace := since.Add(t.cfg.ConnectGrace).Sub(t.clock.Now())
	if grace <= 0 {
		return
	}
	t.log.Info("not connected to Asterisk yet: the call waits for the connection", "at_most", grace.Round(time.Millisecond))
	tm := t.clock.NewTimer(grace)
	defer tm.Stop()
	select {
	case <-up:
	case <-tm.C():
	case <-ctx.Done():
	case <-t.closing:
	}
}

// ActiveCalls returns the number of calls in progress (holding a slot).
func (t *Telephony) ActiveCalls() int { return t.limit.inUse() }

// Hangup hangs up a channel by id if it exists (after a daemon restart or a
// reconnect). A channel that no longer exists is not an error. While Asterisk
// is not connected (as at start-up) the hang-up is queued and done as soon as
// the adapter connects.
func (t *Telephony) Hangup(ctx context.Context, callID string) error {
	l := t.currentLink()
	if l != nil {
		err := t.hangupChannel(ctx, l, callID, "normal")
		if err == nil {
			return nil
		}
		t.log.Warn("hangup failed; retried after the next reconnect", "channel", callID, "err", err)
	} else {
		t.log.Info("not connected: hangup queued until Asterisk is connected", "channel", callID)
	}
	t.mu.Lock()
	t.orphans[callID] = true
	t.mu.Unlock()
	return nil
}

// hangupChannel hangs up a channel; one that does not exist is fine.
func (t *Telephony) hangupChannel(ctx context.Context, l *link, id, reason string) error {
	ctx, cancel := context.WithTimeout(ctx, t.cfg.RequestTimeout)
	defer cancel()
	err := within(ctx, func() error {
		return l.ari.Channel().Hangup(ari.NewKey(ari.ChannelKey, id), reason)
	})
	if err == nil {
		return nil
	}
	exists, lerr := t.channelExists(ctx, l, id)
	if lerr == nil && !exists {
		return nil
	}
	return fmt.Errorf("ophangen van %s: %w", id, err)
}

// channelExists reports whether Asterisk has a channel with this id.
func (t *Telephony) channelExists(ctx context.Context, l *link, id string) (bool, error) {
	ids, err := t.listChannels(ctx, l)
	if err != nil {
		return false, err
	}
	for _, x := range ids {
		if x == id {
			return true, nil
		}
	}
	return false, nil
}

// listChannels returns the ids of every channel in Asterisk.
func (t *Telephony) listChannels(ctx context.Context, l *link) ([]string, error) {
	ctx, cancel := context.WithTimeout(ctx, t.cfg.RequestTimeout)
	defer cancel()
	keys, err := withinValue(ctx, func() ([]*ari.Key, error) { return l.ari.Channel().List(nil) })
	var ids []string
	for _, k := range keys {
		ids = append(ids, k.ID)
	}
	return ids, err
}

// Close hangs up every call in progress and every channel this adapter
// created, and disconnects. It waits up to about 10 s for calls to end.
func (t *Telephony) Close() error {
	t.once.Do(func() {
		t.mu.Lock()
		t.closed = true
		t.mu.Unlock()
		close(t.closing)
		done := make(chan struct{})
		go func() { t.calls.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.log.Error("calls did not end within 10 s of close")
		}
		if l := t.currentLink(); l != nil {
			t.mu.Lock()
			var ids []string
			for id := range t.created {
				ids = append(ids, id)
			}
			for id := range t.orphans {
				ids = append(ids, id)
			}
			t.mu.Unlock()
			for _, id := range ids {
				if err := t.hangupChannel(context.Background(), l, id, "normal"); err != nil {
					t.log.Error("hangup on close failed", "channel", id, "err", err)
				}
			}
		}
		t.cancel()
		<-t.stopped
	})
	return nil
}

// currentLink returns the live link, or nil.
func (t *Telephony) currentLink() *link {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.link
}

// dialString returns the endpoint to originate to.
func (t *Telephony) dialString(req aw.CallRequest) string {
	switch {
	case req.Dial != "":
		return req.Dial
	case req.Extension != nil:
		return req.Extension.Dial()
	}
	return aw.Settings{DialTemplate: t.cfg.DialTemplate}.DialString(req.Number)
}

// onEvent is called by a link's reader for every raw event.
func (t *Telephony) onEvent(l *link, data []byte) {
	defer func() {
		if r := recover(); r != nil {
			t.log.Error("panic while handling an ARI event", "panic", r, "event", truncate(string(data), 300))
		}
	}()
	e, ok := decodeEvent(data)
	if !ok {
		return
	}
	t.dispatch(l, e)
}

// dispatch routes an event to the call it belongs to.
func (t *Telephony) dispatch(l *link, e event) {
	if e.Type == evEndpointState && e.Endpoint != nil {
		t.mu.Lock()
		if strings.EqualFold(e.Endpoint.Resource, t.trunkEP) {
			t.trunk = e.Endpoint.State
		}
		t.mu.Unlock()
		t.refreshHealth()
		return
	}
	if e.Type == evApplicationReplac {
		l.fail(fmt.Errorf("een andere verbinding heeft de Stasis-applicatie %q overgenomen", t.cfg.App))
		return
	}
	id := e.channelID()
	if id == "" {
		return
	}
	t.mu.Lock()
	if e.Type == evDestroyed {
		delete(t.created, id)
		delete(t.orphans, id)
	}
	c := t.active[id]
	t.mu.Unlock()
	if c != nil && c.link == l {
		c.q.push(e)
	}
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n] + "..."
	}
	return s
}
