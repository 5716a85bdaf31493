package alleenwerken

import (
	"context"
	"time"
)

// attemptProgress records one call's progress as it happens.
type attemptProgress struct {
	esc       *Escalator
	alarmID   string
	seq       int
	number    string
	accepted  bool
	smsChoice string
}

var _ CallProgress = (*attemptProgress)(nil)

func (p *attemptProgress) update(fn func(a *Alarm, t *Attempt)) (*Alarm, error) {
	e := p.esc
	var a *Alarm
	var err error
	for try := 0; try < 5; try++ {
		a, err = e.store.UpdateAlarm(context.Background(), p.alarmID, func(x *Alarm) error {
			if t := x.Attempt(p.seq); t != nil {
				fn(x, t)
			}
			return nil
		})
		if err == nil {
			return a, nil
		}
		time.Sleep(100 * time.Millisecond)
	}
	e.log.Error("recording call progress failed", "alarm_id", p.alarmID, "attempt", p.seq, "err", err)
	return nil, err
}

// Answered records the answer time.
func (p *attemptProgress) Answered() {
	now := p.esc.clock.Now()
	p.update(func(_ *Alarm, t *Attempt) { t.AnsweredAt = &now })
}

// Digit records a DTMF digit.
func (p *attemptProgress) Digit(d string) {
	p.update(func(_ *Alarm, t *Attempt) { t.Digits += d })
}

// Accepted records the acceptance durably before the call goes on.
func (p *attemptProgress) Accepted() AcceptPlan {
	e := p.esc
	now := e.clock.Now()
	p.accepted = true
	a, err := p.update(func(a *Alarm, t *Attempt) {
		t.Outcome = OutcomeAccepted
		if a.Open() {
			a.State, a.AcceptedBy, a.AcceptedAt = AlarmAccepted, p.number, &now
		}
	})
	if err != nil {
		a, _ = e.store.Alarm(context.Background(), p.alarmID)
	}
	e.log.Warn("ALARM ACCEPTED", "alarm_id", p.alarmID, "by", p.number)
	if a != nil {
		e.armUnhandledAt(a, e.settings(context.Background())) // the alarm as just written: no second read
	} else {
		e.armUnhandled(context.Background(), p.alarmID)
	}
	plan := AcceptPlan{OfferSMS: IsMobileNumber(p.number) && (e.sms == nil || e.sms.Health().State != HealthDown)}
	if a != nil {
		plan.ReportNumber, plan.AccessCode = a.Number, a.AccessCode
	}
	return plan
}

// SMSChoice records the answer to the SMS offer and queues the SMS on "yes".
func (p *attemptProgress) SMSChoice(choice string) {
	p.smsChoice = choice
	a, err := p.update(func(_ *Alarm, t *Attempt) { t.SMSChoice = choice })
	if err == nil && choice == "yes" {
		p.esc.smsResponder(context.Background(), a, p.number, p.esc.settings(context.Background()))
	}
}

// Played records a media URI the call played.
func (p *attemptProgress) Played(media string) {
	p.update(func(_ *Alarm, t *Attempt) { t.Played = append(t.Played, media) })
}
