package alleenwerken

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"
)

// Dispatcher drains the SMS outbox through one or more senders (modems). Each
// sender has its own goroutine that claims one message at a time from the
// store, so a message is never sent by two senders; a sender whose health is
// down is paused and the others take over. Alarm, responder and admin SMS go
// before reminders; a reminder past its deadline becomes late.
type Dispatcher struct {
	Outbox  Outbox
	Senders []SMSSender
	Clock   Clock
	Logger  *slog.Logger
	// Poll is how often idle senders look for due messages (default 2 s).
	Poll time.Duration
	// MaxTries is how often a reminder is tried on recoverable errors
	// (default 8); alarm messages are tried three times as often.
	MaxTries int

	wake chan struct{}
	once sync.Once

	mu      sync.Mutex
	running bool               // Run has started the sender loops
	runCtx  context.Context    // Run's context, for loops of new senders
	stop    context.CancelFunc // stops the current senders' loops
	loops   *sync.WaitGroup    // the current senders' loops
	all     sync.WaitGroup     // every loop ever started
}

func (d *Dispatcher) init() {
	d.once.Do(func() {
		d.wake = make(chan struct{}, 64)
		if d.Poll == 0 {
			d.Poll = 2 * time.Second
		}
		if d.MaxTries == 0 {
			d.MaxTries = 8
		}
		if d.Logger == nil {
			d.Logger = slog.Default()
		}
	})
}

// senders returns the current senders.
func (d *Dispatcher) senders() []SMSSender {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.Senders
}

// SetSenders replaces the senders (new modem ports from the console): the
// old senders' loops stop after the message each is sending (a message cut
// short is retried), then the new senders take over the outbox.
func (d *Dispatcher) SetSenders(ss []SMSSender) {
	d.init()
	d.mu.Lock()
	d.Senders = ss
	if !d.running {
		d.mu.Unlock()
		return
	}
	stop, loops := d.stop, d.loops
	d.startLoops()
	d.mu.Unlock()
	// Claims are exclusive: old and new loops never send one message twice.
	stop()
	loops.Wait()
}

// startLoops starts one loop per sender; d.mu is held.
func (d *Dispatcher) startLoops() {
	ctx, cancel := context.WithCancel(d.runCtx)
	wg := &sync.WaitGroup{}
	for _, s := range d.Senders {
		wg.Add(1)
		d.all.Add(1)
		go func(s SMSSender) {
			defer d.all.Done()
			defer wg.Done()
			d.loop(ctx, s)
		}(s)
	}
	d.stop, d.loops = cancel, wg
}

// Notify wakes idle senders after a message was queued.
func (d *Dispatcher) Notify() {
	d.init()
	for range d.senders() {
		select {
		case d.wake <- struct{}{}:
		default:
		}
	}
}

// Health is the SMS path's health: ok while any sender is ok.
func (d *Dispatcher) Health() Health {
	ss := d.senders()
	if len(ss) == 0 {
		return Health{State: HealthDown, Reason: "Geen modem ingesteld."}
	}
	var worst Health
	for _, s := range ss {
		h := s.Health()
		if h.State == HealthOK {
			return h
		}
		if worst.State == "" || h.State == HealthDegraded {
			worst = h
		}
	}
	return worst
}

// Run recovers messages left in sending by a crash, then sends until ctx is
// done.
func (d *Dispatcher) Run(ctx context.Context) error {
	d.init()
	rec, err := d.Outbox.RecoverSMS(ctx)
	if err != nil {
		return err
	}
	for _, m := range rec {
		d.unknown(ctx, m, "daemon stopped while sending")
	}
	d.mu.Lock()
	d.running, d.runCtx = true, ctx
	d.startLoops()
	d.mu.Unlock()
	<-ctx.Done()
	d.mu.Lock()
	d.running = false
	d.stop()
	d.mu.Unlock()
	d.all.Wait()
	return nil
}

func (d *Dispatcher) loop(ctx context.Context, s SMSSender) {
	for ctx.Err() == nil {
		if s.Health().State != HealthDown {
			m, err := d.Outbox.ClaimSMS(ctx, d.Clock.Now(), s.Name())
			if err != nil {
				d.Logger.Error("sms: claiming from the outbox failed", "modem", s.Name(), "err", err)
			} else if m != nil {
				d.send(ctx, s, m)
				continue
			}
		}
		t := d.Clock.NewTimer(d.Poll)
		select {
		case <-ctx.Done():
		case <-d.wake:
		case <-t.C():
		}
		t.Stop()
	}
}

func (d *Dispatcher) send(ctx context.Context, s SMSSender, m *SMS) {
	now := d.Clock.Now()
	if m.Deadline != nil && !now.Before(*m.Deadline) {
		d.finish(m.ID, func(x *SMS) { x.State, x.LastError = SMSLate, "te laat: de timer is al afgelopen" })
		d.Logger.Warn("sms: reminder too late, not sent", "sms", m.ID, "deadline", m.Deadline)
		return
	}
	rcpt, err := s.SendSMS(ctx, m)
	var se *SendError
	switch {
	case err == nil:
		sent := d.Clock.Now()
		d.finish(m.ID, func(x *SMS) { x.State, x.SentAt, x.Refs, x.LastError = SMSSent, &sent, rcpt.Refs, "" })
		d.Logger.Info("sms sent", "sms", m.ID, "kind", m.Kind, "to", m.To, "modem", s.Name(), "refs", rcpt.Refs)
	case errors.As(err, &se) && se.Unknown:
		d.unknown(ctx, m, err.Error())
	case (errors.As(err, &se) && se.Retry || ctx.Err() != nil) && m.Tries < d.maxTries(m):
		wait := Backoff(m.Tries, 5*time.Second, 5*time.Minute)
		next := d.Clock.Now().Add(wait)
		d.finish(m.ID, func(x *SMS) { x.State, x.NextTryAt, x.LastError = SMSQueued, &next, err.Error() })
		d.Logger.Warn("sms: send failed, will retry", "sms", m.ID, "modem", s.Name(), "err", err, "next_try_at", next)
	default:
		d.finish(m.ID, func(x *SMS) { x.State, x.LastError = SMSFailed, err.Error() })
		d.Logger.Error("sms: send failed for good", "sms", m.ID, "kind", m.Kind, "to", m.To, "modem", s.Name(), "err", err)
	}
}

// maxTries is how often a message is tried: alarm, responder and admin
// messages three times as often as reminders (about 2 hours in all).
func (d *Dispatcher) maxTries(m *SMS) int {
	if m.Kind == SMSReminder {
		return d.MaxTries
	}
	return 3 * d.MaxTries
}

// unknown handles a message that may have gone out: reminders stay unknown;
// alarm, responder and admin messages are sent once more, and the log says so.
func (d *Dispatcher) unknown(ctx context.Context, m *SMS, reason string) {
	if m.Kind != SMSReminder && !m.Resent {
		d.finish(m.ID, func(x *SMS) { x.State, x.Resent, x.NextTryAt, x.LastError = SMSQueued, true, nil, reason })
		d.Logger.Warn("sms: outcome unknown; sending this alarm message once more (it may arrive twice)", "sms", m.ID, "kind", m.Kind, "to", m.To, "reason", reason)
		return
	}
	d.finish(m.ID, func(x *SMS) { x.State, x.LastError = SMSUnknown, reason })
	d.Logger.Warn("sms: outcome unknown; not resent", "sms", m.ID, "kind", m.Kind, "to", m.To, "reason", reason)
}

func (d *Dispatcher) finish(id string, fn func(*SMS)) {
	for try := 0; try < 5; try++ {
		_, err := d.Outbox.UpdateSMS(context.Background(), id, func(x *SMS) error { fn(x); return nil })
		if err == nil || ErrorCode(err) == ENOTFOUND {
			return
		}
		d.Logger.Error("sms: recording result failed", "sms", id, "err", err)
		time.Sleep(200 * time.Millisecond)
	}
}

// Queue returns how many messages wait in the outbox (queued or being
// sent) and since when the oldest of them waits.
func (d *Dispatcher) Queue(ctx context.Context) (waiting int, oldest time.Time, err error) {
	all, err := d.Outbox.ListSMS(ctx, 0)
	if err != nil {
		return 0, time.Time{}, err
	}
	for _, m := range all {
		if m.State != SMSQueued && m.State != SMSSending {
			continue
		}
		waiting++
		if oldest.IsZero() || m.CreatedAt.Before(oldest) {
			oldest = m.CreatedAt
		}
	}
	return waiting, oldest, nil
}
