package alleenwerken

import (
	"context"
	"time"
)

// The watchdog: a session's timers on the service's one scheduler. Every
// timer is derived from the stored session, so arm after a restart re-creates
// exactly what was armed before.

func (s *Service) arm(sess *Session) {
	id := sess.ID
	switch sess.State {
	case SessionActive, SessionAlarmPending:
		if sess.ReminderAt != nil && !sess.ReminderDone {
			s.sched.At("reminder:"+id, *sess.ReminderAt, func() { s.fireReminder(id) })
		} else {
			s.sched.Cancel("reminder:" + id)
		}
		s.sched.At("expire:"+id, sess.ExpiresAt, func() { s.raise(id, CauseExpired) })
		if sess.State == SessionAlarmPending && sess.AlarmFiresAt != nil {
			s.sched.At("pending:"+id, *sess.AlarmFiresAt, func() { s.raise(id, CauseManual) })
		}
	default:
		s.disarm(id)
	}
}

func (s *Service) disarm(id string) {
	s.sched.Cancel("reminder:" + id)
	s.sched.Cancel("expire:" + id)
	s.sched.Cancel("pending:" + id)
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
		s.sched.At("reminder:"+id, s.clock.Now().Add(10*time.Second), func() { s.fireReminder(id) })
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
		s.sched.At("expire:"+id, s.clock.Now().Add(5*time.Second), func() { s.raise(id, cause) })
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
		s.sched.At("expire:"+id, s.clock.Now().Add(5*time.Second), func() { s.raise(id, cause) })
		return
	}
	s.disarm(id)
	if _, err := s.store.CancelSMS(ctx, id, SMSReminder); err != nil {
		s.log.Warn("alarm: cancelling reminder failed", "session", id, "err", err)
	}
	s.log.Warn("ALARM raised", "alarm", a.Number, "session", id, "cause", cause, "ladder", a.LadderNumbers())
	s.esc.Start(a.ID)
}
