package alleenwerken

import (
	"context"
	"log/slog"
	"strings"
)

// UserServiceStore is the storage the user service needs.
type UserServiceStore interface {
	UserStore
	UserAdmin
	ConsoleSessions
	AuditStore
}

// UserService creates and changes console users. Every change is checked,
// written and appended to the audit log here, whichever door it came
// through.
type UserService struct {
	store UserServiceStore
	auditor
	// BcryptCost hashes the passwords; DefaultBcryptCost when 0.
	BcryptCost int
}

// NewUserService returns a user service on st.
func NewUserService(st UserServiceStore, clock Clock, log *slog.Logger) *UserService {
	return &UserService{store: st, auditor: newAuditor(st, clock, log), BcryptCost: DefaultBcryptCost}
}

// errSelf refuses changing one's own role or account.
func errSelf() error {
	return Errorf(ECONFLICT, "U kunt uw eigen account niet uitschakelen of uw eigen rol wijzigen.")
}

// CreateUser checks the name, role and password and creates the user.
// EINVALID names the field; ECONFLICT when the name exists.
func (s *UserService) CreateUser(ctx context.Context, by Actor, name string, role Role, password string) (*User, error) {
	name = strings.TrimSpace(name)
	if name == "" || len([]rune(name)) > MaxNameLen {
		return nil, FieldError("name", "Geef een gebruikersnaam van 1 tot %d tekens.", MaxNameLen)
	}
	if err := CheckName("name", name, MaxNameLen); err != nil {
		return nil, err
	}
	if err := CheckRole(role); err != nil {
		return nil, err
	}
	hash, err := HashPassword(password, s.BcryptCost)
	if err != nil {
		return nil, err
	}
	u := &User{Name: name, Role: role, PasswordHash: hash, CreatedAt: s.clock.Now()}
	if err := s.store.CreateUser(ctx, u); err != nil {
		return nil, err
	}
	s.audit(ctx, by, AuditEntry{Action: AuditUserCreated, Target: u.Name, New: string(role)})
	return u, nil
}

// ChangeRole gives the user of id another role. ECONFLICT for one's own
// role, ENOTFOUND for an unknown id.
func (s *UserService) ChangeRole(ctx context.Context, by Actor, id string, role Role) (*User, error) {
	if by.UserID != "" && by.UserID == id {
		return nil, errSelf()
	}
	var old Role
	u, err := s.store.UpdateUser(ctx, id, func(u *User) error {
		if err := CheckRole(role); err != nil {
			return err
		}
		old, u.Role = u.Role, role
		return nil
	})
	if err != nil {
		return nil, err
	}
	s.audit(ctx, by, AuditEntry{Action: AuditUserRole, Target: u.Name, Old: string(old), New: string(role)})
	return u, nil
}

// ResetPassword sets a new password for the user of id (oneself too) and
// ends their log-ins.
func (s *UserService) ResetPassword(ctx context.Context, by Actor, id, password string) (*User, error) {
	hash, err := HashPassword(password, s.BcryptCost)
	if err != nil {
		return nil, err
	}
	u, err := s.store.UpdateUser(ctx, id, func(u *User) error {
		u.PasswordHash = hash
		return nil
	})
	if err != nil {
		return nil, err
	}
	if err := s.store.DeleteUserConsoleSessions(ctx, u.ID); err != nil {
		return nil, err
	}
	s.audit(ctx, by, AuditEntry{Action: AuditUserPassword, Target: u.Name})
	return u, nil
}

// DisableUser stops the user of id from logging in and ends their log-ins.
// ECONFLICT for oneself.
func (s *UserService) DisableUser(ctx context.Context, by Actor, id string) (*User, error) {
	if by.UserID != "" && by.UserID == id {
		return nil, errSelf()
	}
	now := s.clock.Now()
	u, err := s.store.UpdateUser(ctx, id, func(u *User) error {
		if u.DisabledAt == nil {
			u.DisabledAt = &now
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if err := s.store.DeleteUserConsoleSessions(ctx, u.ID); err != nil {
		return nil, err
	}
	s.audit(ctx, by, AuditEntry{Action: AuditUserDisabled, Target: u.Name})
	return u, nil
}

// EnableUser lets a disabled user log in again. ECONFLICT for oneself.
func (s *UserService) EnableUser(ctx context.Context, by Actor, id string) (*User, error) {
	if by.UserID != "" && by.UserID == id {
		return nil, errSelf()
	}
	u, err := s.store.UpdateUser(ctx, id, func(u *User) error {
		u.DisabledAt = nil
		return nil
	})
	if err != nil {
		return nil, err
	}
	s.audit(ctx, by, AuditEntry{Action: AuditUserEnabled, Target: u.Name})
	return u, nil
}

// Users returns every console user.
func (s *UserService) Users(ctx context.Context) ([]*User, error) { return s.store.Users(ctx) }
