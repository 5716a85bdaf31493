package alleenwerken

import (
	"context"
	"fmt"
	"time"
)

// The reminder of an accepted alarm nobody has marked handled: the
// unhandled_reminder setting after the acceptance, and again after each
// reminder, the acceptor (when it is a mobile) and every admin number get
// an SMS with a link of their own, until a responder handles the alarm.
// The timer is derived from the stored alarm (UnhandledReminderDue), so it
// is armed again after a restart.

func unhandledKey(id string) string { return "unhandled:" + id }

// armUnhandled arms the next reminder of the accepted alarm id, read
// afresh; nothing when it is not accepted-and-unhandled.
func (e *Escalator) armUnhandled(ctx context.Context, id string) {
	a, err := e.store.Alarm(ctx, id)
	if err != nil {
		e.log.Error("unhandled reminder: reading alarm failed; retrying in 1 min", "alarm_id", id, "err", err)
		e.sched.At(unhandledKey(id), e.clock.Now().Add(time.Minute), func() { e.remindUnhandled(id) })
		return
	}
	e.armUnhandledAt(a, e.settings(ctx))
}

func (e *Escalator) armUnhandledAt(a *Alarm, set Settings) {
	due, ok := a.UnhandledReminderDue(set.UnhandledReminder)
	if !ok {
		e.sched.Cancel(unhandledKey(a.ID))
		return
	}
	id := a.ID
	e.sched.At(unhandledKey(id), due, func() { e.remindUnhandled(id) })
}

// resumeUnhandled arms the reminders of every accepted, unhandled alarm
// at start-up; one that came due while the daemon was down fires at once.
func (e *Escalator) resumeUnhandled(ctx context.Context) error {
	alarms, err := e.store.UnhandledAlarms(ctx)
	if err != nil {
		return err
	}
	set := e.settings(ctx)
	for _, a := range alarms {
		if a.State == AlarmAccepted {
			e.armUnhandledAt(a, set)
		}
	}
	return nil
}

// remindUnhandled queues the reminder when it is due and arms the next.
func (e *Escalator) remindUnhandled(id string) {
	ctx := context.Background() // a shutdown must not cut a reminder in half
	a, err := e.store.Alarm(ctx, id)
	if err != nil {
		e.log.Error("unhandled reminder: reading alarm failed; retrying in 1 min", "alarm_id", id, "err", err)
		e.sched.At(unhandledKey(id), e.clock.Now().Add(time.Minute), func() { e.remindUnhandled(id) })
		return
	}
	set := e.settings(ctx)
	now := e.clock.Now()
	due, ok := a.UnhandledReminderDue(set.UnhandledReminder)
	if !ok {
		return // handled meanwhile
	}
	if due.After(now) { // the setting was made longer
		e.armUnhandledAt(a, set)
		return
	}
	to, roles := unhandledRecipients(a, set)
	if len(to) == 0 {
		e.log.Error("ALARM ACCEPTED BUT NOT HANDLED, and nobody gets the reminder: the acceptor is no mobile and no admin numbers are set",
			"alarm", a.Number, "accepted_at", a.AcceptedAt)
	} else if err := e.smsUnhandled(ctx, a, set, to, roles); err != nil {
		e.log.Error("unhandled reminder: storing links failed; retrying in 1 min", "alarm", a.Number, "err", err)
		e.sched.At(unhandledKey(id), now.Add(time.Minute), func() { e.remindUnhandled(id) })
		return
	}
	a, err = e.store.UpdateAlarm(ctx, id, func(x *Alarm) error {
		if x.State == AlarmAccepted {
			x.UnhandledReminders++
			x.UnhandledRemindedAt = &now
		}
		return nil
	})
	if err != nil {
		e.log.Error("unhandled reminder: marking sent failed; the next may come early", "alarm_id", id, "err", err)
		e.sched.At(unhandledKey(id), now.Add(set.UnhandledReminder), func() { e.remindUnhandled(id) })
		return
	}
	e.armUnhandledAt(a, set)
}

// unhandledRecipients returns who is reminded, with the role each is
// logged as: the acceptor when it is a mobile, then the admin numbers.
func unhandledRecipients(a *Alarm, set Settings) (to, roles []string) {
	seen := map[string]bool{}
	if IsMobileNumber(a.AcceptedBy) {
		seen[a.AcceptedBy] = true
		to, roles = append(to, a.AcceptedBy), append(roles, "acceptor")
	}
	for i, n := range set.AdminNumbers {
		if !seen[n] {
			seen[n] = true
			to, roles = append(to, n), append(roles, fmt.Sprintf("admin %d", i+1))
		}
	}
	return to, roles
}

// smsUnhandled stores a link token for each recipient and queues each
// their own reminder. Queued before it is marked: a crash in between sends
// it twice rather than never.
func (e *Escalator) smsUnhandled(ctx context.Context, a *Alarm, set Settings, to, roles []string) error {
	now := e.clock.Now()
	toks := make([]string, len(to))
	a, err := e.store.UpdateAlarm(ctx, a.ID, func(x *Alarm) error {
		for i := range to {
			toks[i] = x.NewInfoToken(now)
		}
		return nil
	})
	if err != nil {
		return err
	}
	acceptor := set.NumberLabel(a.AcceptedBy)
	for i, n := range to {
		text := NotHandledText(set.Language, a, acceptor, InfoLink(set.PublicBaseURL, toks[i]), set.Location())
		m := &SMS{Kind: SMSUnhandled, To: n, Text: text, CreatedAt: now, AlarmID: a.ID, SessionID: a.SessionID, Test: a.Test}
		if err := e.store.EnqueueSMS(ctx, m); err != nil {
			e.log.Error("unhandled reminder: queueing SMS failed", "alarm", a.Number, "to", roles[i], "err", err)
			continue
		}
		e.log.Warn("alarm accepted but not handled: reminder queued", "alarm", a.Number, "to", roles[i], "sms", m.ID, "reminder", a.UnhandledReminders+1)
	}
	if e.notify != nil {
		e.notify()
	}
	return nil
}
