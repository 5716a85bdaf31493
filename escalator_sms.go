package alleenwerken

import (
	"context"
	"time"
)

// The SMS the escalator decides on: responder, admins, telephony-down fan-out.

// smsResponder queues the SMS with the details and a link to an acceptor.
func (e *Escalator) smsResponder(ctx context.Context, a *Alarm, to string, set Settings) {
	tok, a2, err := e.newLink(ctx, a.ID)
	if err != nil {
		e.log.Error("responder SMS: storing link failed", "alarm", a.Number, "err", err)
		return
	}
	a = a2
	var sess *Session
	if a.SessionID != "" {
		sess, _ = e.store.Session(ctx, a.SessionID)
	}
	text := ResponderText(set.Language, a, sess, InfoLink(set.PublicBaseURL, tok), set.Location())
	e.enqueue(ctx, a, SMSResponder, []string{to}, text)
}

// smsAdmins tells the admins that nobody accepted.
// It runs on its own context: shutting down must not lose it, and a crash
// before it is recorded sends it after the restart.
func (e *Escalator) smsAdmins(a *Alarm, set Settings) {
	ctx := context.Background()
	now := e.clock.Now()
	if len(set.AdminNumbers) == 0 {
		e.log.Error("nobody accepted and no admin numbers are set", "alarm", a.Number)
		e.store.UpdateAlarm(ctx, a.ID, func(x *Alarm) error { x.AdminSMSAt = &now; return nil })
		return
	}
	tok, a2, err := e.newLink(ctx, a.ID)
	if err != nil {
		e.log.Error("admin SMS: storing link failed", "alarm", a.Number, "err", err)
		return
	}
	a = a2
	e.enqueue(ctx, a, SMSAdmin, set.AdminNumbers, UnansweredText(set.Language, a, InfoLink(set.PublicBaseURL, tok)))
	if _, err := e.store.UpdateAlarm(ctx, a.ID, func(x *Alarm) error { x.AdminSMSAt = &now; return nil }); err != nil {
		e.log.Error("admin SMS: marking sent failed", "alarm", a.Number, "err", err)
	}
}

// smsFanOut sends the alarm SMS to every mobile alarm number and admin when
// the phone system cannot place calls: the independent path.
func (e *Escalator) smsFanOut(ctx context.Context, a *Alarm, set Settings) {
	now := e.clock.Now()
	tok, a2, err := e.newLink(ctx, a.ID, func(x *Alarm) { x.FanOutSentAt = &now })
	if err != nil {
		e.log.Error("fan-out SMS: storing link failed", "alarm", a.Number, "err", err)
		return
	}
	a = a2
	var to []string
	seen := map[string]bool{}
	for _, n := range append(a.LadderNumbers(), set.AdminNumbers...) {
		if IsMobileNumber(n) && !seen[n] {
			seen[n] = true
			to = append(to, n)
		}
	}
	name := ""
	if a.SessionID != "" {
		if sess, err := e.store.Session(ctx, a.SessionID); err == nil {
			name = sess.Worker.Name
		}
	}
	e.log.Error("telephony cannot place calls: alarm SMS to every alarm number and admin", "alarm", a.Number, "to", to)
	e.enqueue(ctx, a, SMSAlarm, to, TelephonyDownText(set.Language, a, name, InfoLink(set.PublicBaseURL, tok)))
}

// newLink stores a fresh information-link token on the alarm (and applies
// also, in the same transaction) and returns the token.
func (e *Escalator) newLink(ctx context.Context, id string, also ...func(*Alarm)) (string, *Alarm, error) {
	var tok string
	now := e.clock.Now()
	a, err := e.store.UpdateAlarm(ctx, id, func(x *Alarm) error {
		tok = x.NewInfoToken(now)
		for _, f := range also {
			f(x)
		}
		return nil
	})
	return tok, a, err
}

func (e *Escalator) enqueue(ctx context.Context, a *Alarm, kind SMSKind, to []string, text string) {
	for _, n := range to {
		m := &SMS{Kind: kind, To: n, Text: text, CreatedAt: e.clock.Now(), AlarmID: a.ID, SessionID: a.SessionID, Test: a.Test}
		var err error
		for try := 0; try < 3; try++ {
			if err = e.store.EnqueueSMS(ctx, m); err == nil {
				break
			}
			time.Sleep(200 * time.Millisecond)
		}
		if err != nil {
			e.log.Error("queueing SMS failed", "alarm", a.Number, "kind", kind, "to", n, "err", err)
			continue
		}
		e.log.Info("SMS queued", "alarm", a.Number, "kind", kind, "to", n, "sms", m.ID)
	}
	if e.notify != nil {
		e.notify()
	}
}
