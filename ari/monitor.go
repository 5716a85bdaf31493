package ari

import (
	"context"
	"fmt"
	"time"

	aw "alleenwerken"

	"github.com/CyCoreSystems/ari/v5"
)

// monitor keeps a link to Asterisk: connect with a timeout, back off on
// failure, watch the live link, and start again when it is lost.
func (t *Telephony) monitor(ctx context.Context) {
	backoff := t.cfg.BackoffMin
	for ctx.Err() == nil {
		var l *link
		var err error
		dctx, cancel := context.WithTimeout(ctx, t.cfg.ConnectTimeout)
		if t.cfg.NATSURL != "" {
			l, err = dialProxy(dctx, t.cfg, t.onEvent)
		} else {
			l, err = dialNative(dctx, t.cfg, t.onEvent)
		}
		cancel()
		if err != nil {
			t.setDown(fmt.Sprintf("Geen verbinding met Asterisk (%s): %v", t.cfg.target(), err))
			t.log.Warn("connecting to Asterisk failed", "err", err, "retry_in", backoff)
			if !t.sleep(ctx, backoff) {
				return
			}
			backoff = min(2*backoff, t.cfg.BackoffMax)
			continue
		}
		backoff = t.cfg.BackoffMin
		t.attach(l)
		t.reconcile(ctx, l)
		if t.cfg.OnConnected != nil {
			t.cfg.OnConnected()
		}
		reason := t.watch(ctx, l)
		t.detach(l, reason)
	}
}

// sleep waits d on the injected clock; false when ctx ended.
func (t *Telephony) sleep(ctx context.Context, d time.Duration) bool {
	tm := t.clock.NewTimer(d)
	defer tm.Stop()
	select {
	case <-tm.C():
		return true
	case <-ctx.Done():
		return false
	}
}

// attach makes l the live link, with the trunk's state already read so that
// Health is right the moment the adapter reports itself connected.
func (t *Telephony) attach(l *link) {
	state := t.trunkState(context.Background(), l)
	t.mu.Lock()
	t.link = l
	t.trunk = state
	close(t.up)
	t.mu.Unlock()
	t.refreshHealth()
	t.log.Info("connected to Asterisk", "version", l.version, "entity_id", l.entityID, "via", t.cfg.target(), "trunk", state)
}

// detach drops a lost link: every call on it ends as lost.
func (t *Telephony) detach(l *link, reason string) {
	l.close()
	t.mu.Lock()
	if t.link == l {
		t.link = nil
		t.up = make(chan struct{})
	}
	var lost []*call
	for _, c := range t.active {
		if c.link == l {
			lost = append(lost, c)
		}
	}
	t.mu.Unlock()
	for _, c := range lost {
		c.q.push(event{Type: evLinkLost})
	}
	t.setDown("Verbinding met Asterisk verloren: " + reason)
	t.log.Error("lost the connection to Asterisk", "reason", reason, "calls_lost", len(lost))
}

// watch blocks while the link lives. Every WatchdogInterval it asks
// Asterisk who it is (a dead HTTP side or a restarted Asterisk ends the link)
// and reads the trunk's state. It returns why the link ended.
func (t *Telephony) watch(ctx context.Context, l *link) string {
	failures := 0
	for {
		tm := t.clock.NewTimer(t.cfg.WatchdogInterval)
		select {
		case <-ctx.Done():
			tm.Stop()
			return "adapter gestopt"
		case <-l.lost:
			tm.Stop()
			return l.err.Error()
		case <-tm.C():
		}
		rctx, cancel := context.WithTimeout(ctx, t.cfg.RequestTimeout)
		info, err := asteriskInfo(rctx, l.ari)
		cancel()
		switch {
		case err != nil:
			failures++
			t.log.Warn("Asterisk watchdog failed", "err", err, "failures", failures)
			if failures >= 2 {
				return "Asterisk antwoordt niet: " + err.Error()
			}
			continue
		case info.SystemInfo.EntityID != l.entityID:
			return "Asterisk is vervangen (andere entity id)"
		}
		failures = 0
		t.checkTrunk(ctx, l)
	}
}

// checkTrunk reads the trunk endpoint's state and updates Health.
func (t *Telephony) checkTrunk(ctx context.Context, l *link) {
	state := t.trunkState(ctx, l)
	t.mu.Lock()
	t.trunk = state
	t.mu.Unlock()
	t.refreshHealth()
}

// trunkState asks Asterisk for the trunk endpoint's state (qualify).
func (t *Telephony) trunkState(ctx context.Context, l *link) string {
	t.mu.Lock()
	name := t.trunkEP
	t.mu.Unlock()
	rctx, cancel := context.WithTimeout(ctx, t.cfg.RequestTimeout)
	defer cancel()
	d, err := withinValue(rctx, func() (*ari.EndpointData, error) {
		return l.ari.Endpoint().Data(ari.NewEndpointKey("PJSIP", name))
	})
	if err != nil {
		t.log.Warn("reading the trunk endpoint failed", "endpoint", name, "err", err)
		return "unknown"
	}
	if d == nil || d.State == "" {
		return "unknown"
	}
	return d.State
}

// refreshHealth derives Health from the link and the trunk state.
func (t *Telephony) refreshHealth() {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.link == nil {
		return
	}
	h := aw.Health{State: aw.HealthOK,
		Reason: fmt.Sprintf("Verbonden met Asterisk %s; trunk %q bereikbaar.", t.link.version, t.trunkEP)}
	if t.trunk != "online" {
		h = aw.Health{State: aw.HealthDegraded,
			Reason: fmt.Sprintf("Verbonden met Asterisk %s, maar trunk %q is niet bereikbaar (%s): externe nummers kunnen niet gebeld worden.",
				t.link.version, t.trunkEP, t.trunk)}
	}
	t.setHealthLocked(h)
}

// setDown marks telephony down with a reason.
func (t *Telephony) setDown(reason string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.setHealthLocked(aw.Health{State: aw.HealthDown, Reason: reason})
}

func (t *Telephony) setHealthLocked(h aw.Health) {
	h.Reason = aw.Redact(h.Reason) // an address's password is never shown
	h.Since = t.health.Since
	if h.State != t.health.State {
		h.Since = t.clock.Now()
	}
	t.health = h
}

// reconcile runs after every (re)connect: channels of calls this adapter
// lost, or created but no longer follows, are hung up. Their calls have
// already ended as failed ("call lost").
func (t *Telephony) reconcile(ctx context.Context, l *link) {
	ids, err := t.listChannels(ctx, l)
	if err != nil {
		t.log.Warn("reconcile: listing channels failed", "err", err)
		return
	}
	t.mu.Lock()
	var stale []string
	for _, id := range ids {
		if (t.orphans[id] || t.created[id]) && t.active[id] == nil {
			stale = append(stale, id)
		}
	}
	live := map[string]bool{}
	for _, id := range ids {
		live[id] = true
	}
	for id := range t.orphans {
		if !live[id] {
			delete(t.orphans, id)
			delete(t.created, id)
		}
	}
	for id := range t.created {
		if !live[id] && t.active[id] == nil {
			delete(t.created, id)
		}
	}
	t.mu.Unlock()
	for _, id := range stale {
		if err := t.hangupChannel(ctx, l, id, "normal"); err != nil {
			t.log.Error("reconcile: hanging up a lost call failed", "channel", id, "err", err)
			continue
		}
		t.log.Warn("reconcile: hung up the channel of a lost call", "channel", id)
		t.mu.Lock()
		delete(t.orphans, id)
		delete(t.created, id)
		t.mu.Unlock()
	}
}
