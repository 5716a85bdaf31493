package alleenwerken

import "context"

// SessionView is a session as the app sees it, with the alarm summary when
// there is one and the warnings of the moment.
type SessionView struct {
	Session  *Session
	Alarm    *Alarm // nil unless the session raised an alarm
	Warnings []Warning
}

// SessionService is what the app API does with sessions. Every method that
// changes something returns after the change is on disk. deviceID scopes
// every call: another device's session is ENOTFOUND.
type SessionService interface {
	// StartSession validates and starts a session and arms its timers.
	// EINVALID names the field; ECONFLICT when the device already has a
	// session that is not stopped. With an idempotency key the same retry
	// returns the first result.
	StartSession(ctx context.Context, deviceID string, req SessionStart, idemKey string) (*SessionView, error)
	// GetSession returns a session. ENOTFOUND.
	GetSession(ctx context.Context, deviceID, id string) (*SessionView, error)
	// ExtendSession moves expires_at by minutes (0: the default extension)
	// and re-arms the reminder. ECONFLICT unless active.
	ExtendSession(ctx context.Context, deviceID, id string, minutes int) (*SessionView, error)
	// StopSession stops a session (cancelling a pending alarm). ECONFLICT when
	// already stopped or in alarm.
	StopSession(ctx context.Context, deviceID, id string) (*SessionView, error)
	// PressAlarm starts the cancel window; a second press changes nothing.
	// ECONFLICT when stopped.
	PressAlarm(ctx context.Context, deviceID, id string) (*SessionView, error)
	// CancelAlarm cancels a pending alarm inside the window; ECONFLICT after.
	CancelAlarm(ctx context.Context, deviceID, id string) (*SessionView, error)
	// UpdateLocation stores the last known location and status.
	UpdateLocation(ctx context.Context, deviceID, id string, loc Location) error
	// Warnings returns what the appliance cannot do right now.
	Warnings() []Warning
}

// AlarmService is what responders and the console do with alarms.
type AlarmService interface {
	// HandleAlarm marks an alarm handled by a responder with a remark; it
	// stops a running ladder and stops the session.
	HandleAlarm(ctx context.Context, alarmID, by, remark string) (*Alarm, error)
}
