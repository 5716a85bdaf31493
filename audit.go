package alleenwerken

import (
	"context"
	"log/slog"
	"time"
)

// AuditEntry is one line of the audit log: who did what, when, and for a
// change the old and the new value.
type AuditEntry struct {
	ID     uint64    `json:"id"`
	At     time.Time `json:"at"`
	Actor  string    `json:"actor"`  // user name, or how a responder came in ("sms-link", "toegangscode")
	Action string    `json:"action"` // one of the Audit* constants
	Target string    `json:"target,omitempty"`
	Field  string    `json:"field,omitempty"`
	Old    string    `json:"old,omitempty"`
	New    string    `json:"new,omitempty"`
	Detail string    `json:"detail,omitempty"`
	IP     string    `json:"ip,omitempty"`
}

// Audited actions.
const (
	AuditLogin          = "login"
	AuditLoginFailed    = "login_failed"
	AuditLoginThrottled = "login_throttled"
	AuditLogout         = "logout"
	AuditSettingChanged = "setting_changed"
	AuditUserCreated    = "user_created"
	AuditUserRole       = "user_role_changed"
	AuditUserPassword   = "user_password_reset"
	AuditUserDisabled   = "user_disabled"
	AuditUserEnabled    = "user_enabled"
	AuditTokenCreated   = "token_created"
	AuditTokenRevoked   = "token_revoked"
	AuditAlarmViewed    = "alarm_viewed"
	AuditAlarmHandled   = "alarm_handled"
	AuditAccessRefused  = "access_refused"
	AuditTestAlarm      = "test_alarm_raised"
	AuditBackup         = "backup_downloaded"
	AuditPBXChanged     = "pbx_changed"        // trunk or extension passwords; secrets never logged
	AuditPromptUploaded = "prompt_uploaded"    // a WAV replaced a generated prompt
	AuditConnection     = "connection_changed" // ARI/NATS or modem ports
	AuditSIMPIN         = "sim_pin_changed"    // the PIN itself is never logged
	AuditKeyRotated     = "key_rotated"        // the key file of the stored secrets replaced
)

// AuditStore keeps the audit log. Entries are never changed or removed.
type AuditStore interface {
	// AppendAudit assigns e the next id and stores it.
	AppendAudit(ctx context.Context, e *AuditEntry) error
	// AuditEntries returns entries newest first, at most limit (0: all).
	AuditEntries(ctx context.Context, limit int) ([]*AuditEntry, error)
}

// auditor writes the audit entries of a service: stamped with its clock
// and signed by the actor. The change is on disk before its entry: a
// failure to write the entry is logged, not returned.
type auditor struct {
	entries AuditStore
	clock   Clock
	log     *slog.Logger
}

// newAuditor returns an auditor on st; a nil clock is the system clock and
// a nil log slog's default.
func newAuditor(st AuditStore, clock Clock, log *slog.Logger) auditor {
	if clock == nil {
		clock = SystemClock{}
	}
	if log == nil {
		log = slog.Default()
	}
	return auditor{entries: st, clock: clock, log: log}
}

// audit appends e by the actor.
func (a auditor) audit(ctx context.Context, by Actor, e AuditEntry) {
	e.At = a.clock.Now()
	e.Old, e.New, e.Detail = Redact(e.Old), Redact(e.New), Redact(e.Detail) // no password of an address
	if err := a.entries.AppendAudit(ctx, by.entry(e)); err != nil {
		a.log.Error("writing the audit log failed", "action", e.Action, "target", e.Target, "actor", by.String(), "err", err)
		return
	}
	a.log.Info("audited", "action", e.Action, "target", e.Target, "actor", by.String())
}

// AuditLog reads the audit log.
type AuditLog struct{ store AuditStore }

// NewAuditLog returns the audit log of st.
func NewAuditLog(st AuditStore) *AuditLog { return &AuditLog{store: st} }

// Entries returns entries newest first, at most limit (0: all).
func (l *AuditLog) Entries(ctx context.Context, limit int) ([]*AuditEntry, error) {
	return l.store.AuditEntries(ctx, limit)
}
