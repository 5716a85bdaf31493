package alleenwerken

import (
	"context"
	"time"
)

// SMSKind says what an SMS is for; it sets the sending order.
type SMSKind string

// SMS kinds. Alarm, responder, admin and unhandled messages go before
// reminders.
const (
	SMSAlarm     SMSKind = "alarm"     // to every alarm number and admin when telephony is down
	SMSResponder SMSKind = "responder" // to an acceptor who chose "yes"
	SMSAdmin     SMSKind = "admin"     // to admins: nobody accepted, component down
	SMSUnhandled SMSKind = "unhandled" // to the acceptor and admins: accepted, not handled yet
	SMSReminder  SMSKind = "reminder"  // to the worker before the timer expires
)

// Priority returns the sending priority: lower goes first.
func (k SMSKind) Priority() int {
	if k == SMSReminder {
		return 1
	}
	return 0
}

// SMSState is where an outbox message stands.
type SMSState string

// Outbox states.
const (
	SMSQueued    SMSState = "queued"
	SMSSending   SMSState = "sending"
	SMSSent      SMSState = "sent"
	SMSFailed    SMSState = "failed"
	SMSUnknown   SMSState = "unknown"   // may have gone out (timeout or crash while sending)
	SMSLate      SMSState = "late"      // a reminder that can no longer arrive in time
	SMSCancelled SMSState = "cancelled" // a reminder after stop or extend
)

// Delivery values of SMS.Delivery, from the network's status reports.
const (
	DeliveryDelivered = "delivered" // every part reached the phone
	DeliveryPending   = "pending"   // the network is still trying (temporary error)
	DeliveryFailed    = "failed"    // the network gave up on a part
)

// SMS is one message in the durable outbox. It is stored before any attempt
// to send it.
type SMS struct {
	ID        string     `json:"id"`
	Kind      SMSKind    `json:"kind"`
	To        string     `json:"to"` // E.164
	Text      string     `json:"text"`
	State     SMSState   `json:"state"`
	CreatedAt time.Time  `json:"created_at"`
	Deadline  *time.Time `json:"deadline,omitempty"` // not sent after this (reminders: the expiry)
	SessionID string     `json:"session_id,omitempty"`
	AlarmID   string     `json:"alarm_id,omitempty"`
	Test      bool       `json:"test,omitempty"`

	Tries     int        `json:"tries"`
	NextTryAt *time.Time `json:"next_try_at,omitempty"`
	LastError string     `json:"last_error,omitempty"`
	Resent    bool       `json:"resent,omitempty"` // an unknown alarm/responder SMS sent once more
	SentAt    *time.Time `json:"sent_at,omitempty"`
	Modem     string     `json:"modem,omitempty"`
	Refs      []int      `json:"refs,omitempty"` // TP-MR of each part
	// PartStatus is the TP-ST of each part's status report, -1 for a part
	// whose report has not come (yet).
	PartStatus []int      `json:"part_status,omitempty"`
	Delivery   string     `json:"delivery,omitempty"`
	DeliveryAt *time.Time `json:"delivery_at,omitempty"`
}

// Outbox is the durable SMS queue: the core fills it, SMS senders drain it.
type Outbox interface {
	// EnqueueSMS stores m as queued and assigns its id.
	EnqueueSMS(ctx context.Context, m *SMS) error
	// CancelSMS marks the queued messages of a session and kind cancelled.
	CancelSMS(ctx context.Context, sessionID string, kind SMSKind) (int, error)
	// PurgeSessionSMS deletes every SMS record of a session that ended
	// without an alarm (privacy).
	PurgeSessionSMS(ctx context.Context, sessionID string) error
	// ClaimSMS atomically takes the next due queued message, alarm kinds
	// before reminders and oldest first, marks it sending by modem and
	// returns it; nil when nothing is due.
	ClaimSMS(ctx context.Context, now time.Time, modem string) (*SMS, error)
	// UpdateSMS applies fn to a message in one transaction.
	UpdateSMS(ctx context.Context, id string, fn func(*SMS) error) (*SMS, error)
	// ListSMS returns messages, newest first, at most limit (0: all).
	ListSMS(ctx context.Context, limit int) ([]*SMS, error)
	// RecoverSMS marks messages left in sending (daemon died) unknown and
	// returns them.
	RecoverSMS(ctx context.Context) ([]*SMS, error)
}

// SMSReceipt is what a sender reports for a message that went out.
type SMSReceipt struct {
	Refs []int // TP-MR of each part
}

// SendError classifies a failed send. Retry: a recoverable error (network
// timeout, no network). Unknown: the message may have gone out (a timeout
// after submission).
type SendError struct {
	Retry   bool
	Unknown bool
	Err     error
}

// Error implements error.
func (e *SendError) Error() string { return e.Err.Error() }

// Unwrap returns the cause.
func (e *SendError) Unwrap() error { return e.Err }

// SMSSender sends one SMS through one modem (or a simulator).
type SMSSender interface {
	HealthReporter
	// Name identifies the sender in the outbox and logs.
	Name() string
	// SendSMS sends m.Text to m.To as one (possibly concatenated) message.
	SendSMS(ctx context.Context, m *SMS) (SMSReceipt, error)
}
