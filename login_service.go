package alleenwerken

import (
	"context"
	"log/slog"
	"math"
	"strings"
	"sync"
	"time"

	"golang.org/x/crypto/bcrypt"
)

// Log-in lock-out: LoginMaxFailures failed log-ins for one user name from
// one address within LoginLockout lock that name from that address until
// LoginLockout after the last of them. Other addresses, and other names
// from that address, are not locked: an attacker cannot keep a real user
// out. Instead every failure for a name in the window slows the next
// log-ins for that name by LoginSlowStep, up to LoginSlowMax.
const (
	LoginMaxFailures = 5
	LoginLockout     = 15 * time.Minute
	LoginSlowStep    = 200 * time.Millisecond
	LoginSlowMax     = time.Second
)

// LoginStore is the storage the log-in service needs.
type LoginStore interface {
	UserStore
	// UserByID returns a user, or ENOTFOUND.
	UserByID(ctx context.Context, id string) (*User, error)
	ConsoleSessions
	AuditStore
	FailureStore
}

// LoginService logs console users in and out: the lock-out, the password
// check, the session and the audit entries are here.
type LoginService struct {
	store LoginStore
	auditor
	lock *lockout // per user name and address
	slow *lockout // per user name, never locks: the slow-down
	// Sleep waits d unless ctx ends; the slow-down uses it (time.Sleep
	// by default; tests may shorten it).
	Sleep func(ctx context.Context, d time.Duration)
}

// NewLoginService returns a log-in service on st; the failed log-ins still
// inside the lock-out window are read back, so a lock-out survives a
// restart.
func NewLoginService(ctx context.Context, st LoginStore, clock Clock, log *slog.Logger) (*LoginService, error) {
	s := &LoginService{store: st, auditor: newAuditor(st, clock, log)}
	s.lock = newLockout(s.clock, LoginMaxFailures, LoginLockout)
	s.slow = newLockout(s.clock, math.MaxInt, LoginLockout)
	s.Sleep = sleepCtx
	if err := s.lock.persist(ctx, st, "login", s.log); err != nil {
		return nil, err
	}
	return s, nil
}

// dummyHash is compared against for unknown users, so a log-in takes as
// long whether the name exists or not. It is made on first use, not when
// the program starts.
var dummyHash = sync.OnceValue(func() []byte {
	h, _ := bcrypt.GenerateFromPassword([]byte("not a password of anyone"), DefaultBcryptCost)
	return h
})

// Login checks name and password from ip and starts a console session;
// it returns the session's cookie token (only its hash is stored). A wrong
// name or password is EUNAUTHORIZED; ETOOMANY while the name or the
// address is locked out (not audited: the lock itself was, and a flood
// must not fill the disk). Every guess counts before it is checked, so
// guesses sent in parallel are no better than guesses one by one.
func (s *LoginService) Login(ctx context.Context, name, password, ip string) (string, *ConsoleSession, *User, error) {
	name = strings.TrimSpace(name)
	userKey := "user:" + strings.ToLower(name)
	pairKey := userKey + "|ip:" + ip
	guess, err := s.lock.reserve(pairKey)
	if err != nil {
		return "", nil, nil, err
	}
	earlier, _ := s.slow.reserve(userKey) // never refuses
	if n := len(earlier.before); n > 0 {
		s.Sleep(ctx, min(time.Duration(n)*LoginSlowStep, LoginSlowMax))
	}
	u, err := s.store.UserByName(ctx, name)
	if err != nil && ErrorCode(err) != ENOTFOUND {
		guess.pass() // not evaluated
		earlier.pass()
		return "", nil, nil, err
	}
	ok := false
	if u != nil {
		ok = bcrypt.CompareHashAndPassword(u.PasswordHash, []byte(password)) == nil && u.DisabledAt == nil
	} else {
		bcrypt.CompareHashAndPassword(dummyHash(), []byte(password))
	}
	by := Actor{Door: DoorConsole, Name: name, IP: ip}
	if !ok || name == "" || password == "" {
		guess.fail(ctx)
		earlier.fail(ctx)
		s.audit(ctx, by, AuditEntry{Action: AuditLoginFailed})
		if guess.locks {
			s.audit(ctx, by, AuditEntry{Action: AuditLoginThrottled, Detail: "te veel mislukte pogingen"})
		}
		return "", nil, nil, Errorf(EUNAUTHORIZED, "Onjuiste naam of wachtwoord.")
	}
	guess.pass()
	earlier.pass()
	s.lock.reset(ctx, pairKey)
	now := s.clock.Now()
	tok, hash := NewToken("")
	csrf, _ := NewToken("")
	cs := &ConsoleSession{TokenHash: hash, UserID: u.ID, CSRF: csrf, CreatedAt: now, ExpiresAt: now.Add(ConsoleSessionTTL)}
	if err := s.store.CreateConsoleSession(ctx, cs, now); err != nil {
		return "", nil, nil, err
	}
	s.audit(ctx, ConsoleActor(u, ip), AuditEntry{Action: AuditLogin})
	return tok, cs, u, nil
}

// Authenticate returns the session of a cookie token and its user;
// EUNAUTHORIZED when the session is unknown or expired or the user is
// disabled.
func (s *LoginService) Authenticate(ctx context.Context, token string) (*ConsoleSession, *User, error) {
	cs, err := s.store.ConsoleSession(ctx, HashToken(token), s.clock.Now())
	if err != nil {
		return nil, nil, err
	}
	u, err := s.store.UserByID(ctx, cs.UserID)
	if ErrorCode(err) == ENOTFOUND || (err == nil && u.DisabledAt != nil) {
		return nil, nil, Errorf(EUNAUTHORIZED, "Niet ingelogd.")
	} else if err != nil {
		return nil, nil, err
	}
	return cs, u, nil
}

// Logout ends the session cs of by.
func (s *LoginService) Logout(ctx context.Context, by Actor, cs *ConsoleSession) error {
	if err := s.store.DeleteConsoleSession(ctx, cs.TokenHash); err != nil {
		return err
	}
	s.audit(ctx, by, AuditEntry{Action: AuditLogout})
	return nil
}

// Active returns how many console sessions are valid now.
func (s *LoginService) Active(ctx context.Context) (int, error) {
	return s.store.CountConsoleSessions(ctx, s.clock.Now())
}

// sleepCtx waits d unless ctx ends first.
func sleepCtx(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}
