package alleenwerken

import (
	"strconv"
	"time"
)

// SessionState is where a working-alone session stands.
type SessionState string

// Session states, as in the app API.
const (
	SessionActive       SessionState = "active"
	SessionAlarmPending SessionState = "alarm_pending" // inside the cancel window
	SessionAlarm        SessionState = "alarm"         // escalating or accepted, until handled
	SessionStopped      SessionState = "stopped"
)

// Text limits from the app API.
const (
	MaxNameLen        = 100
	MaxDescriptionLen = 500
	MaxReferenceLen   = 64
	MaxAddressLen     = 200
	MaxStatusLen      = 200
	MaxDuration       = 1440 // minutes
)

// Worker is the person working alone.
type Worker struct {
	Name  string `json:"name"`
	Phone string `json:"phone"` // E.164 mobile
}

// Location is the last known position the app reported.
type Location struct {
	Lat       float64   `json:"lat"`
	Lon       float64   `json:"lon"`
	AccuracyM float64   `json:"accuracy_m"`
	At        time.Time `json:"at"`
	Status    string    `json:"status,omitempty"`
}

// Session is one working-alone period of one worker on one device.
type Session struct {
	ID           string       `json:"id"`
	DeviceID     string       `json:"device_id"`
	State        SessionState `json:"state"`
	Worker       Worker       `json:"worker"`
	AlarmNumbers []string     `json:"alarm_numbers"` // E.164 or extension, in calling order
	Description  string       `json:"description,omitempty"`
	Reference    string       `json:"reference,omitempty"`
	Address      string       `json:"address,omitempty"`
	Location     *Location    `json:"location,omitempty"`
	Test         bool         `json:"test,omitempty"`

	StartedAt    time.Time  `json:"started_at"`
	ExpiresAt    time.Time  `json:"expires_at"`
	ReminderAt   *time.Time `json:"reminder_at"`
	AlarmFiresAt *time.Time `json:"alarm_fires_at,omitempty"` // set in alarm_pending
	StoppedAt    *time.Time `json:"stopped_at,omitempty"`
	AlarmID      string     `json:"alarm_id,omitempty"`
	ReminderDone bool       `json:"reminder_done,omitempty"` // reminder queued already
	Purged       bool       `json:"purged,omitempty"`        // personal data removed after stop
}

// Open reports whether the session still needs watching (not stopped).
func (s *Session) Open() bool { return s.State != SessionStopped }

// HoldsDevice reports whether the session keeps its device from starting
// another: while it is active, in its cancel window, or in alarm with the
// alarm (a, nil when not known) not yet accepted. Once someone accepted,
// the worker may start again; the alarm stays open for responders.
func (s *Session) HoldsDevice(a *Alarm) bool {
	if !s.Open() {
		return false
	}
	return s.State != SessionAlarm || a == nil || a.Open()
}

// ComputeReminder sets ReminderAt to ExpiresAt minus lead, or nil when the
// remaining time is not longer than the lead.
func (s *Session) ComputeReminder(now time.Time, lead time.Duration) {
	s.ReminderAt = nil
	s.ReminderDone = false
	if lead <= 0 || s.ExpiresAt.Sub(now) <= lead {
		return
	}
	r := s.ExpiresAt.Add(-lead)
	s.ReminderAt = &r
}

// Purge removes the personal data of a session that ended without an alarm:
// only the id, device and state remain (privacy: no on/off history).
func (s *Session) Purge() {
	*s = Session{ID: s.ID, DeviceID: s.DeviceID, State: SessionStopped, Purged: true}
}

// SessionStart is what the app sends to start a session.
type SessionStart struct {
	Worker          Worker
	AlarmNumbers    []string
	DurationMinutes int
	Description     string
	Reference       string
	Address         string
	Location        *Location
	Test            bool
}

// Validate checks a start request against the API's rules and normalises the
// numbers in place. Errors name the field.
func (r *SessionStart) Validate(set Settings) error {
	if r.Worker.Name == "" {
		return FieldError("worker.name", "Naam ontbreekt.")
	} else if len([]rune(r.Worker.Name)) > MaxNameLen {
		return FieldError("worker.name", "Naam is langer dan %d tekens.", MaxNameLen)
	} else if err := CheckName("worker.name", r.Worker.Name, MaxNameLen); err != nil {
		return err
	}
	phone, err := ParseMobileNumber("worker.phone", r.Worker.Phone, set.AllowedCountries)
	if err != nil {
		return err
	}
	r.Worker.Phone = phone
	if n := len(r.AlarmNumbers); n < 2 || n > 3 {
		return FieldError("alarm_numbers", "Geef 2 of 3 alarmnummers op (nu %d).", n)
	}
	seen := map[string]bool{}
	for i, raw := range r.AlarmNumbers {
		field := "alarm_numbers[" + strconv.Itoa(i) + "]"
		n, err := ParseAlarmNumber(field, raw, set.Extensions, set.AllowedCountries)
		if err != nil {
			return err
		}
		if n == phone {
			return FieldError(field, "Je eigen nummer kan geen alarmnummer zijn: bij een alarm kun je zelf niet opnemen.")
		}
		if seen[n] {
			return FieldError(field, "Het nummer %s staat al in de lijst.", n)
		}
		seen[n] = true
		r.AlarmNumbers[i] = n
	}
	if r.DurationMinutes < 1 || r.DurationMinutes > MaxDuration {
		return FieldError("duration_minutes", "De duur ligt tussen 1 en %d minuten.", MaxDuration)
	}
	for _, c := range []struct {
		field, v string
		max      int
		lines    bool
	}{
		{"description", r.Description, MaxDescriptionLen, true},
		{"reference", r.Reference, MaxReferenceLen, false},
		{"address", r.Address, MaxAddressLen, false},
	} {
		if err := CheckText(c.field, c.v, c.max, c.lines); err != nil {
			return err
		}
	}
	if r.Location != nil {
		if err := r.Location.Validate("location"); err != nil {
			return err
		}
	}
	return nil
}

// Validate checks a location; field prefixes the names in errors.
func (l *Location) Validate(field string) error {
	switch {
	case l.Lat < -90 || l.Lat > 90:
		return FieldError(field+".lat", "Breedtegraad ligt tussen -90 en 90.")
	case l.Lon < -180 || l.Lon > 180:
		return FieldError(field+".lon", "Lengtegraad ligt tussen -180 en 180.")
	case l.AccuracyM < 0:
		return FieldError(field+".accuracy_m", "Nauwkeurigheid kan niet negatief zijn.")
	}
	return CheckText(field+".status", l.Status, MaxStatusLen, false)
}
