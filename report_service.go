package alleenwerken

import (
	"context"
	"crypto/subtle"
	"fmt"
	"log/slog"
	"net/netip"
	"strings"
	"time"
)

// Responders' lock-outs.
const (
	// CodeMaxFailures wrong report number/access code pairs from one
	// address range (AddressRange) lock that range out of the code path
	// for CodeLockout.
	CodeMaxFailures = 5
	CodeLockout     = 15 * time.Minute
	// CodeMaxFailuresPerNumber wrong codes for the report number of an
	// alarm the code opens, within an hour, lock the code path for that
	// number (the SMS link and a log-in still work): the code must not be
	// guessable from many addresses. A guess for a number that is no such
	// alarm does not count here.
	CodeMaxFailuresPerNumber = 20
	// LinkMaxFailures unknown or expired links opened from one address
	// lock that address out of the links for LinkLockout; it keeps guessers
	// from filling the audit log (the tokens themselves cannot be guessed).
	LinkMaxFailures = 30
	LinkLockout     = 15 * time.Minute
)

// CodeValidAfterHandled is how long the report number and access code open
// the page after the alarm was handled.
const CodeValidAfterHandled = InfoTokenTTL

// ReportStore is the storage the report service needs.
type ReportStore interface {
	AlarmStore
	// Session returns a session by id, or ENOTFOUND.
	Session(ctx context.Context, id string) (*Session, error)
	InfoLinks
	AuditStore
	FailureStore
	// AlarmSMS returns the messages sent for one alarm, oldest first.
	AlarmSMS(ctx context.Context, alarmID string) ([]*SMS, error)
}

// Report is an alarm as its information page shows it: the alarm, the
// worker's session (nil for a test alarm, or once it is gone) and the SMS
// sent for it.
type Report struct {
	Alarm   *Alarm
	Session *Session
	SMS     []*SMS
}

// ReportService is how responders reach alarms: the lists, the
// information page through a log-in, an SMS link or the report number and
// access code, and marking an alarm handled. The lock-outs and the audit
// entries of every view and refusal are here.
type ReportService struct {
	store  ReportStore
	alarms AlarmService
	auditor
	code, number, link *lockout
}

// NewReportService returns a report service on st that marks alarms
// handled through alarms; the failed attempts still inside their lock-out
// windows are read back, so a lock-out survives a restart.
func NewReportService(ctx context.Context, st ReportStore, alarms AlarmService, clock Clock, log *slog.Logger) (*ReportService, error) {
	s := &ReportService{store: st, alarms: alarms, auditor: newAuditor(st, clock, log)}
	s.code = newLockout(s.clock, CodeMaxFailures, CodeLockout)
	s.number = newLockout(s.clock, CodeMaxFailuresPerNumber, time.Hour)
	s.link = newLockout(s.clock, LinkMaxFailures, LinkLockout)
	for kind, l := range map[string]*lockout{"code": s.code, "number": s.number, "link": s.link} {
		if err := l.persist(ctx, st, kind, s.log); err != nil {
			return nil, fmt.Errorf("failed attempts (%s): %w", kind, err)
		}
	}
	return s, nil
}

// Open returns the alarms not handled yet: escalating, unanswered, or
// accepted and waiting for a responder to mark them handled.
func (s *ReportService) Open(ctx context.Context) ([]*Alarm, error) {
	return s.store.UnhandledAlarms(ctx)
}

// Recent returns alarms, newest first, at most limit.
func (s *ReportService) Recent(ctx context.Context, limit int) ([]*Alarm, error) {
	return s.store.Alarms(ctx, limit)
}

// LastTest returns the newest test alarm among the last limit alarms, or
// nil.
func (s *ReportService) LastTest(ctx context.Context, limit int) (*Alarm, error) {
	alarms, err := s.store.Alarms(ctx, limit)
	if err != nil {
		return nil, err
	}
	for _, a := range alarms {
		if a.Test {
			return a, nil
		}
	}
	return nil, nil
}

// ByNumber returns an alarm by report number for a logged-in user, or
// ENOTFOUND.
func (s *ReportService) ByNumber(ctx context.Context, n int) (*Alarm, error) {
	return s.store.AlarmByNumber(ctx, n)
}

// ByLink returns the alarm of an SMS link's token opened from ip;
// EUNAUTHORIZED when the link is unknown or expired (the two look the
// same), ETOOMANY while ip is locked out. A poll of a page already open is
// neither locked out nor audited: a page left open after its link expired
// must not lock out a whole office behind one address.
func (s *ReportService) ByLink(ctx context.Context, token, ip string, poll bool) (*Alarm, error) {
	if poll {
		a, err := s.store.AlarmByInfoToken(ctx, token, s.clock.Now())
		if ErrorCode(err) == EUNAUTHORIZED || ErrorCode(err) == ENOTFOUND {
			return nil, errUnknownLink()
		}
		return a, err
	}
	guess, err := s.link.reserve("ip:" + ip)
	if err != nil {
		return nil, err
	}
	a, err := s.store.AlarmByInfoToken(ctx, token, s.clock.Now())
	switch ErrorCode(err) {
	case "":
		guess.pass()
		return a, nil
	case EUNAUTHORIZED, ENOTFOUND:
		guess.fail(ctx)
		s.audit(ctx, ResponderActor(DoorLink, "", ip), AuditEntry{Action: AuditAccessRefused, Detail: "link onbekend of verlopen"})
		return nil, errUnknownLink()
	}
	guess.pass() // not evaluated
	return nil, err
}

// errUnknownLink refuses a link that is unknown or expired.
func errUnknownLink() error { return Errorf(EUNAUTHORIZED, "Deze link is onbekend of verlopen.") }

// ByCode checks a report number and access code given at ip and returns a
// fresh link token to the alarm's page, valid as long as the code is.
// EUNAUTHORIZED for a wrong pair, or an alarm handled longer than
// CodeValidAfterHandled ago; ETOOMANY while ip or the number is locked
// out.
func (s *ReportService) ByCode(ctx context.Context, number int, code, ip string) (string, error) {
	byRange, err := s.code.reserve("net:" + AddressRange(ip))
	if err != nil {
		return "", err
	}
	now := s.clock.Now()
	a, err := s.store.AlarmByNumber(ctx, number)
	if err != nil && ErrorCode(err) != ENOTFOUND {
		byRange.pass() // not evaluated
		return "", err
	}
	by := ResponderActor(DoorCode, "", ip)
	target := fmt.Sprintf("#%d", number)
	refuse := func() (string, error) {
		byRange.fail(ctx)
		s.audit(ctx, by, AuditEntry{Action: AuditAccessRefused, Target: target, Detail: "verkeerde toegangscode of verlopen"})
		return "", Errorf(EUNAUTHORIZED, "Meldingsnummer en toegangscode horen niet bij elkaar, of de melding is verlopen.")
	}
	if a == nil || a.AccessCode == "" || (a.State == AlarmHandled && (a.HandledAt == nil || now.Sub(*a.HandledAt) >= CodeValidAfterHandled)) {
		// Not an alarm the code opens: the guess counts against the
		// sender's address range only, so that nobody can lock the
		// number of an alarm still to come.
		return refuse()
	}
	byNum, err := s.number.reserve(fmt.Sprintf("num:%d", number))
	if err != nil {
		byRange.pass()
		return "", err
	}
	if subtle.ConstantTimeCompare([]byte(a.AccessCode), []byte(code)) != 1 {
		byNum.fail(ctx)
		return refuse()
	}
	byRange.pass()
	byNum.pass()
	tok, hash := NewToken("")
	exp := now.Add(InfoTokenTTL)
	if a.HandledAt != nil && a.HandledAt.Add(CodeValidAfterHandled).Before(exp) {
		exp = a.HandledAt.Add(CodeValidAfterHandled)
	}
	if _, err := s.store.UpdateAlarm(ctx, a.ID, func(x *Alarm) error {
		var keep []InfoToken // expired links open nothing: drop them
		for _, it := range x.InfoTokens {
			if now.Before(it.ExpiresAt) {
				keep = append(keep, it)
			}
		}
		x.InfoTokens = append(keep, InfoToken{Hash: hash, ExpiresAt: exp})
		return nil
	}); err != nil {
		return "", err
	}
	s.audit(ctx, by, AuditEntry{Action: AuditAlarmViewed, Target: target, Detail: "toegang met meldingsnummer en toegangscode"})
	return tok, nil
}

// Report returns what the information page of a shows. A session or SMS
// that cannot be read is left out and logged: the page still shows the
// alarm.
func (s *ReportService) Report(ctx context.Context, a *Alarm) *Report {
	r := &Report{Alarm: a}
	if a.SessionID != "" {
		sess, err := s.store.Session(ctx, a.SessionID)
		if err == nil {
			r.Session = sess
		} else if ErrorCode(err) != ENOTFOUND {
			s.log.Warn("reading the alarm's session failed", "alarm", a.Number, "err", err)
		}
	}
	msgs, err := s.store.AlarmSMS(ctx, a.ID)
	if err != nil {
		s.log.Warn("reading the alarm's SMS failed", "alarm", a.Number, "err", err)
	}
	r.SMS = msgs
	return r
}

// Viewed audits that by opened the information page of a.
func (s *ReportService) Viewed(ctx context.Context, by Actor, a *Alarm) {
	s.audit(ctx, by, AuditEntry{Action: AuditAlarmViewed, Target: fmt.Sprintf("#%d", a.Number)})
}

// Handle marks a handled by by with remark: the ladder stops and the
// session is stopped. A responder without a log-in must give a name.
// EINVALID names the field ("name" or "remark"); ECONFLICT when it was
// handled already.
func (s *ReportService) Handle(ctx context.Context, by Actor, a *Alarm, remark string) (*Alarm, error) {
	if by.Door == DoorLink || by.Door == DoorCode {
		by.Name = strings.TrimSpace(by.Name)
		if by.Name == "" || len([]rune(by.Name)) > MaxNameLen {
			return nil, FieldError("name", "Vul uw naam in.")
		}
		if err := CheckName("name", by.Name, MaxNameLen); err != nil {
			return nil, err
		}
	}
	got, err := s.alarms.HandleAlarm(ctx, a.ID, by.String(), remark)
	if err != nil {
		return nil, err
	}
	s.audit(ctx, by, AuditEntry{Action: AuditAlarmHandled, Target: fmt.Sprintf("#%d", got.Number), New: remark})
	return got, nil
}

// AddressRange is the range an address's guesses count against: its /24
// for IPv4, its /64 for IPv6 (one subscriber), the address itself when it
// cannot be read.
func AddressRange(ip string) string {
	addr, err := netip.ParseAddr(ip)
	if err != nil {
		return ip
	}
	bits := 64
	if addr.Unmap().Is4() {
		addr, bits = addr.Unmap(), 24
	}
	p, err := addr.Prefix(bits)
	if err != nil {
		return ip
	}
	return p.String()
}
