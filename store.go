package alleenwerken

import (
	"context"
	"io"
	"time"
)

// IdempotencyTTL is how long an Idempotency-Key is remembered.
const IdempotencyTTL = 24 * time.Hour

// SessionStore keeps sessions. Every write is on disk (fsync'd) before it
// returns.
type SessionStore interface {
	// CreateSession assigns s an id and stores it. With a non-empty
	// idemKey, a key the device used in the last 24 h returns the session
	// created then and created=false. A device with a session that holds
	// it (Session.HoldsDevice: not stopped, and not in alarm with the alarm
	// accepted) gets ECONFLICT naming that session's id.
	CreateSession(ctx context.Context, s *Session, idemKey string, now time.Time) (got *Session, created bool, err error)
	// Session returns a session by id, or ENOTFOUND.
	Session(ctx context.Context, id string) (*Session, error)
	// UpdateSession applies fn to a session in one transaction; an error
	// from fn aborts it. ENOTFOUND for an unknown id.
	UpdateSession(ctx context.Context, id string, fn func(*Session) error) (*Session, error)
	// OpenSessions returns every session that is not stopped.
	OpenSessions(ctx context.Context) ([]*Session, error)
	// PurgeExpired removes idempotency records older than IdempotencyTTL
	// and purged session stubs older than that.
	PurgeExpired(ctx context.Context, now time.Time) error
}

// AlarmStore keeps alarms and their attempts.
type AlarmStore interface {
	// CreateAlarm assigns a an id and the next report number and stores it;
	// in the same transaction the session goes to state alarm with AlarmID
	// set. ECONFLICT when the session is stopped or already has an alarm.
	CreateAlarm(ctx context.Context, a *Alarm) error
	// Alarm returns an alarm by id, or ENOTFOUND.
	Alarm(ctx context.Context, id string) (*Alarm, error)
	// AlarmByNumber returns an alarm by report number, or ENOTFOUND.
	AlarmByNumber(ctx context.Context, number int) (*Alarm, error)
	// UpdateAlarm applies fn in one transaction. When fn leaves the alarm
	// handled, its session becomes stopped in the same transaction.
	UpdateAlarm(ctx context.Context, id string, fn func(*Alarm) error) (*Alarm, error)
	// Alarms returns alarms, newest first, at most limit (0: all).
	Alarms(ctx context.Context, limit int) ([]*Alarm, error)
	// OpenAlarms returns alarms that are escalating or unanswered.
	OpenAlarms(ctx context.Context) ([]*Alarm, error)
	// UnhandledAlarms returns alarms that are not handled yet (escalating,
	// unanswered or accepted), oldest first.
	UnhandledAlarms(ctx context.Context) ([]*Alarm, error)
}

// DeviceStore keeps app devices and their hashed tokens.
type DeviceStore interface {
	// CreateDevice assigns d an id and stores it; d.TokenHash must be set.
	CreateDevice(ctx context.Context, d *Device) error
	// AuthenticateDevice returns the device whose token this is, comparing
	// hashes in constant time; EUNAUTHORIZED when unknown or revoked.
	AuthenticateDevice(ctx context.Context, token string) (*Device, error)
	// RevokeDevice revokes a device's token. Its sessions stay armed.
	RevokeDevice(ctx context.Context, id string, now time.Time) error
	// Devices returns every device.
	Devices(ctx context.Context) ([]*Device, error)
}

// SettingsStore keeps the run-time settings.
type SettingsStore interface {
	// Settings returns the stored settings (DefaultSettings if none).
	Settings(ctx context.Context) (Settings, error)
	// SaveSettings validates and stores s.
	SaveSettings(ctx context.Context, s Settings) error
	// SeedSettings stores s only when no settings are stored yet; it
	// reports whether it did.
	SeedSettings(ctx context.Context, s Settings) (bool, error)
}

// UserStore keeps console users.
type UserStore interface {
	// CreateUser assigns u an id and stores it; ECONFLICT if the name exists.
	CreateUser(ctx context.Context, u *User) error
	// UserByName returns a user, or ENOTFOUND.
	UserByName(ctx context.Context, name string) (*User, error)
	// Users returns every user.
	Users(ctx context.Context) ([]*User, error)
}

// Store is all storage of the appliance.
type Store interface {
	SessionStore
	AlarmStore
	DeviceStore
	SettingsStore
	UserStore
	Outbox
	AuditStore
	HealthReporter
	// Backup writes a consistent copy of the database to w while it is in use.
	Backup(ctx context.Context, w io.Writer) (int64, error)
}
