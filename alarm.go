package alleenwerken

import (
	"crypto/rand"
	"math/big"
	"strconv"
	"time"
)

// AlarmState is where an alarm stands.
type AlarmState string

// Alarm states, as in the app API.
const (
	AlarmEscalating AlarmState = "escalating"
	AlarmAccepted   AlarmState = "accepted"
	AlarmHandled    AlarmState = "handled"
	AlarmUnanswered AlarmState = "unanswered" // nobody accepted after all loops; still calling
)

// AlarmCause says why an alarm was raised.
type AlarmCause string

// Alarm causes.
const (
	CauseExpired AlarmCause = "expired" // the timer ran out
	CauseManual  AlarmCause = "manual"  // the worker pressed Alarm
	CauseTest    AlarmCause = "test"    // a test alarm from the console
)

// Alarm is raised when a session's timer expires or the worker presses Alarm.
// It is escalated through the ladder until a person accepts with DTMF 1 and a
// responder marks it handled.
type Alarm struct {
	ID         string     `json:"id"`
	Number     int        `json:"number"`      // sequential, speakable report number (#897)
	AccessCode string     `json:"access_code"` // short numeric code spoken with the number
	SessionID  string     `json:"session_id"`
	Cause      AlarmCause `json:"cause"`
	Test       bool       `json:"test,omitempty"`
	State      AlarmState `json:"state"`
	RaisedAt   time.Time  `json:"raised_at"`

	Ladder     []Step     `json:"ladder"` // the steps in calling order, fallback last
	Loop       int        `json:"loop"`   // current loop, 1-based
	Step       int        `json:"step"`   // next step to call in the current loop
	NextCallAt *time.Time `json:"next_call_at,omitempty"`
	Attempts   []Attempt  `json:"attempts"`

	AcceptedBy    string      `json:"accepted_by,omitempty"`
	AcceptedAt    *time.Time  `json:"accepted_at,omitempty"`
	UnansweredAt  *time.Time  `json:"unanswered_at,omitempty"`
	HandledBy     string      `json:"handled_by,omitempty"`
	HandledAt     *time.Time  `json:"handled_at,omitempty"`
	Remark        string      `json:"remark,omitempty"`
	FanOutSentAt  *time.Time  `json:"fan_out_sent_at,omitempty"` // telephony-down SMS sent
	AdminSMSAt    *time.Time  `json:"admin_sms_at,omitempty"`    // "not accepted" SMS to admins queued
	PlaceFailures int         `json:"place_failures,omitempty"`  // consecutive calls not placed
	InfoTokens    []InfoToken `json:"info_tokens,omitempty"`     // hashed tokens of the SMS links
	// UnhandledReminders counts the reminders queued while the alarm was
	// accepted and not handled; UnhandledRemindedAt is when the last was.
	// The next is due from it (UnhandledReminderDue), also after a restart.
	UnhandledReminders  int        `json:"unhandled_reminders,omitempty"`
	UnhandledRemindedAt *time.Time `json:"unhandled_reminded_at,omitempty"`
}

// InfoTokenTTL is how long the link in an SMS opens the information page.
const InfoTokenTTL = 24 * time.Hour

// InfoToken is the hash of the token in an SMS link to one alarm's
// information page: random, stored hashed, valid 24 h, read and mark handled
// only.
type InfoToken struct {
	Hash      []byte    `json:"hash"`
	ExpiresAt time.Time `json:"expires_at"`
}

// NewInfoToken adds a fresh link token to the alarm and returns it; only its
// hash is kept.
func (a *Alarm) NewInfoToken(now time.Time) string {
	tok, hash := NewToken("")
	a.InfoTokens = append(a.InfoTokens, InfoToken{Hash: hash, ExpiresAt: now.Add(InfoTokenTTL)})
	return tok
}

// Open reports whether the alarm still escalates (nobody accepted yet).
func (a *Alarm) Open() bool { return a.State == AlarmEscalating || a.State == AlarmUnanswered }

// UnhandledReminderDue returns when the acceptor and the admins are next
// reminded that the alarm is accepted and not handled: the interval after
// the acceptance, then the interval after each reminder. false when the
// alarm is not accepted-and-unhandled.
func (a *Alarm) UnhandledReminderDue(interval time.Duration) (time.Time, bool) {
	if a.State != AlarmAccepted || a.AcceptedAt == nil || interval <= 0 {
		return time.Time{}, false
	}
	from := *a.AcceptedAt
	if a.UnhandledRemindedAt != nil && a.UnhandledRemindedAt.After(from) {
		from = *a.UnhandledRemindedAt
	}
	return from.Add(interval), true
}

// Attempt returns the attempt with the given sequence number.
func (a *Alarm) Attempt(seq int) *Attempt {
	for i := range a.Attempts {
		if a.Attempts[i].Seq == seq {
			return &a.Attempts[i]
		}
	}
	return nil
}

// NewAccessCode returns a random 4-digit access code.
func NewAccessCode() string {
	n, err := rand.Int(rand.Reader, big.NewInt(9000))
	if err != nil {
		panic(err) // crypto/rand never fails on Linux
	}
	return strconv.Itoa(int(n.Int64()) + 1000)
}
