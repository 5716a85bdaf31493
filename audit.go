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
)

// AuditStore keeps the audit log. Entries are never changed or removed.
type AuditStore interface {
	// AppendAudit assigns e the next id and stores it.
	AppendAudit(ctx context.Context, e *AuditEntry) error
	// AuditEntries returns entries newest first, at most limit (0: all).
	AuditEntries(ctx context.Context, limit int) ([]*AuditEntry, error)
}

// appendAudit stamps e with the time and the actor and appends it; a
// failure is logged.
func appendAudit(ctx context.Context, st AuditStore, clock Clock, log *slog.Logger, by Actor, e AuditEntry) {
	e.At = clock.Now()
	if err := st.AppendAudit(ctx, by.entry(e)); err != nil {
		log.Error("writing the audit log failed", "action", e.Action, "target", e.Target, "actor", by.String(), "err", err)
		return
	}
	log.Info("admin action", "action", e.Action, "target", e.Target, "actor", by.String())
}
