package alleenwerken

import (
	"context"
	"fmt"
	"strings"
)

// HandleAlarm marks an alarm handled; a running ladder stops and the session
// is stopped.
func (s *Service) HandleAlarm(ctx context.Context, alarmID, by, remark string) (*Alarm, error) {
	if err := CheckText("remark", remark, MaxDescriptionLen, true); err != nil {
		return nil, err
	}
	now := s.clock.Now()
	a, err := s.store.UpdateAlarm(ctx, alarmID, func(x *Alarm) error {
		if x.State == AlarmHandled {
			return Errorf(ECONFLICT, "Melding #%d is al afgehandeld.", x.Number)
		}
		x.State, x.HandledBy, x.HandledAt, x.Remark, x.NextCallAt = AlarmHandled, by, &now, remark, nil
		return nil
	})
	if err != nil {
		return nil, err
	}
	s.esc.Stop(alarmID)
	s.log.Warn("alarm handled", "alarm", a.Number, "by", by)
	return a, nil
}

// RaiseTestAlarm raises an alarm marked test that calls numbers, then the
// fallback number, through the real ladder, and audits it as by's. Every
// prompt, SMS and record of it is marked test. EINVALID names the field
// "numbers".
func (s *Service) RaiseTestAlarm(ctx context.Context, by Actor, numbers []string) (*Alarm, error) {
	set := s.settings(ctx)
	if len(numbers) < 1 || len(numbers) > 3 {
		return nil, FieldError("numbers", "Geef 1 tot 3 nummers voor het testalarm.")
	}
	var ladder []string
	seen := map[string]bool{}
	for _, raw := range numbers {
		n, err := ParseAlarmNumber("numbers", raw, set.Extensions, set.AllowedCountries)
		if err != nil {
			return nil, err
		}
		if seen[n] {
			return nil, FieldError("numbers", "Het nummer %s staat al in de lijst.", n)
		}
		seen[n] = true
		ladder = append(ladder, n)
	}
	a := &Alarm{
		Cause: CauseTest, Test: true, State: AlarmEscalating, RaisedAt: s.clock.Now(),
		AccessCode: NewAccessCode(), Ladder: NewLadder(ladder, set.FallbackNumber), Loop: 1,
	}
	if err := s.store.CreateAlarm(ctx, a); err != nil {
		return nil, err
	}
	s.log.Warn("TEST alarm raised", "alarm", a.Number, "ladder", a.LadderNumbers())
	s.audit.audit(ctx, by, AuditEntry{Action: AuditTestAlarm, Target: fmt.Sprintf("#%d", a.Number), New: strings.Join(a.LadderNumbers(), ", ")})
	s.esc.Start(a.ID)
	return a, nil
}
