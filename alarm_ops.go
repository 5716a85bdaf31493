package alleenwerken

import "context"

// HandleAlarm marks an alarm handled; a running ladder stops and the session
// is stopped.
func (s *Service) HandleAlarm(ctx context.Context, alarmID, by, remark string) (*Alarm, error) {
	if len([]rune(remark)) > MaxDescriptionLen {
		return nil, FieldError("remark", "De opmerking is langer dan %d tekens.", MaxDescriptionLen)
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
