package alleenwerken

import (
	"context"
	"time"
)

// ConsoleSessionTTL is how long a console log-in lasts.
const ConsoleSessionTTL = 12 * time.Hour

// ConsoleSession is a logged-in console user. Only the hash of the cookie's
// token is stored; CSRF is the session's anti-forgery token that every
// state-changing request must carry.
type ConsoleSession struct {
	TokenHash []byte    `json:"-"`
	UserID    string    `json:"user_id"`
	CSRF      string    `json:"-"`
	CreatedAt time.Time `json:"created_at"`
	ExpiresAt time.Time `json:"expires_at"`
}

// ConsoleSessions keeps console log-ins.
type ConsoleSessions interface {
	// CreateConsoleSession stores s (TokenHash must be set) and removes
	// expired sessions.
	CreateConsoleSession(ctx context.Context, s *ConsoleSession, now time.Time) error
	// ConsoleSession returns the session with this token hash;
	// EUNAUTHORIZED when unknown or expired at now.
	ConsoleSession(ctx context.Context, tokenHash []byte, now time.Time) (*ConsoleSession, error)
	// DeleteConsoleSession removes a session (log-out); unknown is no error.
	DeleteConsoleSession(ctx context.Context, tokenHash []byte) error
	// DeleteUserConsoleSessions removes every session of a user.
	DeleteUserConsoleSessions(ctx context.Context, userID string) error
	// CountConsoleSessions returns how many sessions are valid at now.
	CountConsoleSessions(ctx context.Context, now time.Time) (int, error)
}

// UserAdmin changes console users.
type UserAdmin interface {
	// UserByID returns a user, or ENOTFOUND.
	UserByID(ctx context.Context, id string) (*User, error)
	// UpdateUser applies fn to a user in one transaction; the name cannot
	// change. ENOTFOUND for an unknown id; an error from fn aborts.
	UpdateUser(ctx context.Context, id string, fn func(*User) error) (*User, error)
}

// InfoLinks finds an alarm by the token of an information link.
type InfoLinks interface {
	// AlarmByInfoToken returns the alarm one of whose InfoTokens is the
	// hash of token and has not expired at now; EUNAUTHORIZED otherwise
	// (unknown and expired cannot be told apart).
	AlarmByInfoToken(ctx context.Context, token string, now time.Time) (*Alarm, error)
}

// TestAlarms raises test alarms from the console.
type TestAlarms interface {
	// RaiseTestAlarm raises an alarm marked test (every prompt, SMS and
	// record) that calls numbers, then the fallback number, through the
	// real ladder, audited as by's. EINVALID names the field "numbers".
	RaiseTestAlarm(ctx context.Context, by Actor, numbers []string) (*Alarm, error)
}

// The service raises the console's test alarms.
var _ TestAlarms = (*Service)(nil)

// SessionCounter counts the running sessions.
type SessionCounter interface {
	// ActiveSessions returns how many sessions are running.
	ActiveSessions(ctx context.Context) (int, error)
}

// The service counts the sessions.
var _ SessionCounter = (*Service)(nil)

// OutboxQueue tells how the SMS outbox is doing.
type OutboxQueue interface {
	// Queue returns how many messages wait to be sent and since when the
	// oldest of them waits.
	Queue(ctx context.Context) (waiting int, oldest time.Time, err error)
}

// The dispatcher knows its queue.
var _ OutboxQueue = (*Dispatcher)(nil)

// Valid roles, in the order the console lists them.
var Roles = []Role{RoleSuperAdmin, RoleInstaller, RoleResponder}

// Valid reports whether r is a known role.
func (r Role) Valid() bool {
	for _, x := range Roles {
		if r == x {
			return true
		}
	}
	return false
}
