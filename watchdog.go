package alleenwerken

import (
	"context"
	"time"
)

// Watchdog keeps every session's timers on the one scheduler: the reminder
// (expiry minus the reminder lead), the expiry, and the end of the cancel
// window of an alarm the worker pressed. Every timer is derived from the
// stored session, so Arm after a restart re-creates exactly what was armed
// before. What a timer does when it fires is the service's use case.
type Watchdog struct {
	sched    *Scheduler
	reminder func(sessionID string)                   // the reminder is due
	due      func(sessionID string, cause AlarmCause) // the expiry or the cancel window has passed
}

// NewWatchdog returns a watchdog on sched calling reminder and due.
func NewWatchdog(sched *Scheduler, reminder func(sessionID string), due func(sessionID string, cause AlarmCause)) *Watchdog {
	return &Watchdog{sched: sched, reminder: reminder, due: due}
}

// Arm arms the timers of sess as stored (and disarms those it no longer
// has); a deadline in the past fires at once.
func (w *Watchdog) Arm(sess *Session) {
	id := sess.ID
	switch sess.State {
	case SessionActive, SessionAlarmPending:
		if sess.ReminderAt != nil && !sess.ReminderDone {
			w.sched.At("reminder:"+id, *sess.ReminderAt, func() { w.reminder(id) })
		} else {
			w.sched.Cancel("reminder:" + id)
		}
		w.sched.At("expire:"+id, sess.ExpiresAt, func() { w.due(id, CauseExpired) })
		if sess.State == SessionAlarmPending && sess.AlarmFiresAt != nil {
			w.sched.At("pending:"+id, *sess.AlarmFiresAt, func() { w.due(id, CauseManual) })
		} else {
			w.sched.Cancel("pending:" + id)
		}
	default:
		w.Disarm(id)
	}
}

// Disarm cancels every timer of a session.
func (w *Watchdog) Disarm(id string) {
	w.sched.Cancel("reminder:" + id)
	w.sched.Cancel("expire:" + id)
	w.sched.Cancel("pending:" + id)
}

// RetryReminder fires the session's reminder again at at (after a failed
// write).
func (w *Watchdog) RetryReminder(id string, at time.Time) {
	w.sched.At("reminder:"+id, at, func() { w.reminder(id) })
}

// RetryAlarm raises the session's alarm with cause again at at (after a
// failed write).
func (w *Watchdog) RetryAlarm(id string, at time.Time, cause AlarmCause) {
	w.sched.At("expire:"+id, at, func() { w.due(id, cause) })
}

// fireReminder queues the reminder SMS to the worker; its deadline is the
// expiry, so the outbox marks it late rather than send it too late.
func (s *Service) fireReminder(id string) {
	ctx := context.Background()
	s.mu.Lock()
	defer s.mu.Unlock()
	sess, err := s.store.Session(ctx, id)
	if err != nil {
		s.log.Error("reminder: reading session failed", "session", id, "err", err)
		return
	}
	if sess.State != SessionActive || sess.ReminderDone || sess.ReminderAt == nil {
		return
	}
	set := s.settings(ctx)
	deadline := sess.ExpiresAt
	m := &SMS{
		Kind: SMSReminder, To: sess.Worker.Phone, CreatedAt: s.clock.Now(), Deadline: &deadline,
		SessionID: id, Test: sess.Test,
		Text: ReminderText(set.Language, sess.ExpiresAt, set.Location()),
	}
	if sess.Test {
		m.Text = "TEST " + m.Text
	}
	// Queue first, then mark: a crash in between sends a reminder twice
	// rather than never.
	if err := s.store.EnqueueSMS(ctx, m); err != nil {
		s.log.Error("reminder: queueing SMS failed", "session", id, "err", err)
		s.watch.RetryReminder(id, s.clock.Now().Add(10*time.Second))
		return
	}
	if _, err := s.store.UpdateSession(ctx, id, func(x *Session) error { x.ReminderDone = true; return nil }); err != nil {
		s.log.Error("reminder: marking session failed", "session", id, "err", err)
	}
	s.log.Info("reminder queued", "session", id, "sms", m.ID)
	s.notify()
}

// raise turns a session's expiry or pending alarm into an alarm and starts
// the ladder. It is safe to call more than once.
func (s *Service) raise(id string, cause AlarmCause) {
	ctx := context.Background()
	s.mu.Lock()
	sess, err := s.store.Session(ctx, id)
	if err != nil {
		s.mu.Unlock()
		s.log.Error("alarm: reading session failed; retrying", "session", id, "err", err)
		s.watch.RetryAlarm(id, s.clock.Now().Add(5*time.Second), cause)
		return
	}
	now := s.clock.Now()
	switch {
	case sess.State == SessionActive && cause == CauseExpired && !now.Before(sess.ExpiresAt):
	case sess.State == SessionAlarmPending && (cause == CauseExpired && !now.Before(sess.ExpiresAt) ||
		sess.AlarmFiresAt != nil && !now.Before(*sess.AlarmFiresAt)):
	default:
		s.mu.Unlock()
		return // stopped, cancelled, already raised or re-armed later
	}
	set := s.settings(ctx)
	a := &Alarm{
		SessionID: id, Cause: cause, Test: sess.Test, State: AlarmEscalating, RaisedAt: now,
		AccessCode: NewAccessCode(), Ladder: NewLadder(sess.AlarmNumbers, set.FallbackNumber), Loop: 1,
	}
	err = s.store.CreateAlarm(ctx, a)
	s.mu.Unlock()
	if err != nil {
		s.log.Error("alarm: storing failed; retrying", "session", id, "err", err)
		s.watch.RetryAlarm(id, s.clock.Now().Add(5*time.Second), cause)
		return
	}
	s.watch.Disarm(id)
	if _, err := s.store.CancelSMS(ctx, id, SMSReminder); err != nil {
		s.log.Warn("alarm: cancelling reminder failed", "session", id, "err", err)
	}
	s.log.Warn("ALARM raised", "alarm", a.Number, "session", id, "cause", cause, "ladder", a.LadderNumbers())
	s.esc.Start(a.ID)
}
