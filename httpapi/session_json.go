package httpapi

import (
	"time"

	aw "alleenwerken"
)

// utcTime marshals as RFC 3339 in UTC with whole seconds, which every app
// platform parses.
type utcTime time.Time

// MarshalJSON implements json.Marshaler.
func (t utcTime) MarshalJSON() ([]byte, error) {
	return []byte(`"` + time.Time(t).UTC().Format(time.RFC3339) + `"`), nil
}

// utcPtr returns t as a *utcTime; nil (JSON null) for nil or the zero time.
func utcPtr(t *time.Time) *utcTime {
	if t == nil || t.IsZero() {
		return nil
	}
	u := utcTime(*t)
	return &u
}

// sessionJSON is a session as the app API shows it: no device id, no
// internal fields.
type sessionJSON struct {
	ID           string        `json:"id"`
	State        string        `json:"state"`
	StartedAt    *utcTime      `json:"started_at"`
	ExpiresAt    *utcTime      `json:"expires_at"`
	ReminderAt   *utcTime      `json:"reminder_at"`
	AlarmFiresAt *utcTime      `json:"alarm_fires_at,omitempty"`
	Worker       workerJSON    `json:"worker"`
	AlarmNumbers []string      `json:"alarm_numbers"`
	Description  string        `json:"description,omitempty"`
	Reference    string        `json:"reference,omitempty"`
	Address      string        `json:"address,omitempty"`
	Location     *locationJSON `json:"location,omitempty"`
	Alarm        *alarmJSON    `json:"alarm,omitempty"`
	Purged       bool          `json:"purged,omitempty"`
	Warnings     []warningJSON `json:"warnings"`
}

type workerJSON struct {
	Name  string `json:"name"`
	Phone string `json:"phone"`
}

type locationJSON struct {
	Lat       float64  `json:"lat"`
	Lon       float64  `json:"lon"`
	AccuracyM float64  `json:"accuracy_m"`
	At        *utcTime `json:"at"`
	Status    string   `json:"status,omitempty"`
}

type alarmJSON struct {
	Number     int     `json:"number"`
	State      string  `json:"state"`
	AcceptedBy *string `json:"accepted_by"`
}

type warningJSON struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// newSessionJSON renders a session view for the device that owns it.
func newSessionJSON(v *aw.SessionView) *sessionJSON {
	s := v.Session
	out := &sessionJSON{
		ID:           s.ID,
		State:        string(s.State),
		StartedAt:    utcPtr(&s.StartedAt),
		ExpiresAt:    utcPtr(&s.ExpiresAt),
		ReminderAt:   utcPtr(s.ReminderAt),
		Worker:       workerJSON{Name: s.Worker.Name, Phone: s.Worker.Phone},
		AlarmNumbers: append([]string{}, s.AlarmNumbers...),
		Description:  s.Description,
		Reference:    s.Reference,
		Address:      s.Address,
		Purged:       s.Purged,
		Warnings:     []warningJSON{},
	}
	if s.State == aw.SessionAlarmPending {
		out.AlarmFiresAt = utcPtr(s.AlarmFiresAt)
	}
	if l := s.Location; l != nil {
		out.Location = &locationJSON{Lat: l.Lat, Lon: l.Lon, AccuracyM: l.AccuracyM, At: utcPtr(&l.At), Status: l.Status}
	}
	if a := v.Alarm; a != nil {
		out.Alarm = &alarmJSON{Number: a.Number, State: string(a.State)}
		if a.AcceptedBy != "" {
			by := a.AcceptedBy
			out.Alarm.AcceptedBy = &by
		}
	}
	for _, w := range v.Warnings {
		out.Warnings = append(out.Warnings, warningJSON{Code: w.Code, Message: w.Message})
	}
	return out
}
