package alleenwerken

import (
	"context"
	"time"
)

// StartSession validates and starts a session and arms its timers.
func (s *Service) StartSession(ctx context.Context, deviceID string, req SessionStart, idemKey string) (*SessionView, error) {
	set := s.settings(ctx)
	if err := req.Validate(set); err != nil {
		return nil, err
	}
	now := s.clock.Now()
	sess := &Session{
		DeviceID:     deviceID,
		State:        SessionActive,
		Worker:       req.Worker,
		AlarmNumbers: req.AlarmNumbers,
		Description:  req.Description,
		Reference:    req.Reference,
		Address:      req.Address,
		Location:     req.Location,
		Test:         req.Test,
		StartedAt:    now,
		ExpiresAt:    now.Add(time.Duration(req.DurationMinutes) * time.Minute),
	}
	sess.ComputeReminder(now, set.ReminderLead)
	s.mu.Lock()
	got, created, err := s.store.CreateSession(ctx, sess, idemKey, now)
	s.mu.Unlock()
	if err != nil {
		return nil, err
	}
	if created {
		s.watch.Arm(got)
		s.log.Info("session started", "session", got.ID, "expires_at", got.ExpiresAt)
	}
	return s.view(ctx, got)
}

// GetSession returns a session of the device.
func (s *Service) GetSession(ctx context.Context, deviceID, id string) (*SessionView, error) {
	sess, err := s.own(ctx, deviceID, id)
	if err != nil {
		return nil, err
	}
	return s.view(ctx, sess)
}

// ExtendSession moves the expiry and re-arms the reminder.
func (s *Service) ExtendSession(ctx context.Context, deviceID, id string, minutes int) (*SessionView, error) {
	set := s.settings(ctx)
	d := set.DefaultExtension
	if minutes != 0 {
		if minutes < 1 || minutes > MaxDuration {
			return nil, FieldError("minutes", "Verlengen kan met 1 tot %d minuten.", MaxDuration)
		}
		d = time.Duration(minutes) * time.Minute
	}
	sess, err := s.transition(ctx, deviceID, id, func(x *Session) error {
		if x.State != SessionActive {
			return Errorf(ECONFLICT, "Verlengen kan alleen als de sessie actief is (nu: %s).", x.State)
		}
		now := s.clock.Now()
		if limit := now.Add(set.MaxAhead); x.ExpiresAt.Add(d).After(limit) {
			return FieldError("minutes", "Een sessie loopt hoogstens %v vooruit (instelling max_ahead); verlengen kan nu met ten hoogste %d minuten.",
				set.MaxAhead, max(0, int(limit.Sub(x.ExpiresAt).Minutes())))
		}
		x.ExpiresAt = x.ExpiresAt.Add(d)
		x.ComputeReminder(now, set.ReminderLead)
		return nil
	})
	if err != nil {
		return nil, err
	}
	if _, err := s.store.CancelSMS(ctx, id, SMSReminder); err != nil {
		s.log.Warn("cancelling queued reminder failed", "session", id, "err", err)
	}
	s.watch.Arm(sess)
	s.log.Info("session extended", "session", id, "expires_at", sess.ExpiresAt)
	return s.view(ctx, sess)
}

// StopSession stops a session; its personal data is purged.
func (s *Service) StopSession(ctx context.Context, deviceID, id string) (*SessionView, error) {
	var shown Session
	sess, err := s.transition(ctx, deviceID, id, func(x *Session) error {
		switch x.State {
		case SessionStopped:
			return Errorf(ECONFLICT, "De sessie is al gestopt.")
		case SessionAlarm:
			return Errorf(ECONFLICT, "Er loopt een alarm; alleen een hulpverlener kan het afhandelen.")
		}
		now := s.clock.Now()
		x.State, x.StoppedAt, x.AlarmFiresAt = SessionStopped, &now, nil
		shown = *x
		x.Purge()
		return nil
	})
	if err != nil {
		return nil, err
	}
	s.watch.Disarm(id)
	if _, err := s.store.CancelSMS(ctx, id, SMSReminder); err != nil {
		s.log.Warn("cancelling queued reminder failed", "session", id, "err", err)
	}
	if err := s.store.PurgeSessionSMS(ctx, id); err != nil {
		s.log.Warn("purging session SMS failed", "session", id, "err", err)
	}
	s.log.Info("session stopped", "session", sess.ID)
	return &SessionView{Session: &shown, Warnings: s.Warnings()}, nil
}

// PressAlarm starts the cancel window.
func (s *Service) PressAlarm(ctx context.Context, deviceID, id string) (*SessionView, error) {
	set := s.settings(ctx)
	sess, err := s.transition(ctx, deviceID, id, func(x *Session) error {
		switch x.State {
		case SessionStopped:
			return Errorf(ECONFLICT, "De sessie is gestopt.")
		case SessionActive:
			fires := s.clock.Now().Add(set.CancelWindow)
			x.State, x.AlarmFiresAt = SessionAlarmPending, &fires
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	s.watch.Arm(sess)
	s.log.Warn("alarm pressed", "session", id, "fires_at", sess.AlarmFiresAt)
	return s.view(ctx, sess)
}

// CancelAlarm cancels a pending alarm inside the window.
func (s *Service) CancelAlarm(ctx context.Context, deviceID, id string) (*SessionView, error) {
	sess, err := s.transition(ctx, deviceID, id, func(x *Session) error {
		if x.State != SessionAlarmPending || x.AlarmFiresAt == nil || !s.clock.Now().Before(*x.AlarmFiresAt) {
			return Errorf(ECONFLICT, "Annuleren kan niet meer: er is geen alarm in de annuleertijd (nu: %s).", x.State)
		}
		x.State, x.AlarmFiresAt = SessionActive, nil
		return nil
	})
	if err != nil {
		return nil, err
	}
	s.watch.Arm(sess)
	s.log.Info("alarm cancelled inside the window", "session", id)
	return s.view(ctx, sess)
}

// UpdateLocation keeps the last known location and status.
func (s *Service) UpdateLocation(ctx context.Context, deviceID, id string, loc Location) error {
	if err := loc.Validate("location"); err != nil {
		return err
	}
	_, err := s.transition(ctx, deviceID, id, func(x *Session) error {
		if x.State == SessionStopped {
			return Errorf(ECONFLICT, "De sessie is gestopt.")
		}
		l := loc
		x.Location = &l
		return nil
	})
	return err
}

// own returns the session if it belongs to the device.
func (s *Service) own(ctx context.Context, deviceID, id string) (*Session, error) {
	sess, err := s.store.Session(ctx, id)
	if ErrorCode(err) == ENOTFOUND || (err == nil && sess.DeviceID != deviceID) {
		// One answer for both: the 404 does not tell that another
		// device's session exists.
		return nil, Errorf(ENOTFOUND, "Sessie niet gevonden.")
	} else if err != nil {
		return nil, err
	}
	return sess, nil
}

// transition applies fn to a session of the device under the service lock.
func (s *Service) transition(ctx context.Context, deviceID, id string, fn func(*Session) error) (*Session, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, err := s.own(ctx, deviceID, id); err != nil {
		return nil, err
	}
	return s.store.UpdateSession(ctx, id, fn)
}

func (s *Service) view(ctx context.Context, sess *Session) (*SessionView, error) {
	v := &SessionView{Session: sess, Warnings: s.Warnings()}
	if sess.AlarmID != "" {
		a, err := s.store.Alarm(ctx, sess.AlarmID)
		if err != nil {
			return nil, err
		}
		v.Alarm = a
	}
	return v, nil
}
