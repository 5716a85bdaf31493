package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"golang.org/x/crypto/bcrypt"

	aw "alleenwerken"
)

// The admin operations, shared by the admin socket (daemon running) and the
// direct mode (daemon stopped).

// TokenPrefix starts every app device token.
const TokenPrefix = "aw_"

// tokenInfo is a device as the admin commands show it; Token only on create.
type tokenInfo struct {
	ID        string     `json:"id"`
	Name      string     `json:"name"`
	Token     string     `json:"token,omitempty"`
	CreatedAt time.Time  `json:"created_at"`
	RevokedAt *time.Time `json:"revoked_at,omitempty"`
}

func createToken(ctx context.Context, st aw.Store, name string) (tokenInfo, error) {
	name = strings.TrimSpace(name)
	if name == "" || len(name) > 100 {
		return tokenInfo{}, aw.FieldError("name", "Geef het toestel een naam van 1 tot 100 tekens.")
	}
	tok, hash := aw.NewToken(TokenPrefix)
	d := &aw.Device{Name: name, TokenHash: hash, CreatedAt: time.Now().UTC()}
	if err := st.CreateDevice(ctx, d); err != nil {
		return tokenInfo{}, err
	}
	return tokenInfo{ID: d.ID, Name: d.Name, Token: tok, CreatedAt: d.CreatedAt}, nil
}

func listTokens(ctx context.Context, st aw.Store) ([]tokenInfo, error) {
	ds, err := st.Devices(ctx)
	if err != nil {
		return nil, err
	}
	out := []tokenInfo{}
	for _, d := range ds {
		out = append(out, tokenInfo{ID: d.ID, Name: d.Name, CreatedAt: d.CreatedAt, RevokedAt: d.RevokedAt})
	}
	return out, nil
}

func revokeToken(ctx context.Context, st aw.Store, id string) error {
	return st.RevokeDevice(ctx, id, time.Now().UTC())
}

func createUser(ctx context.Context, st aw.Store, name, role, password string) (*aw.User, error) {
	name = strings.TrimSpace(name)
	if name == "" || len(name) > 100 {
		return nil, aw.FieldError("name", "Geef een gebruikersnaam van 1 tot 100 tekens.")
	}
	switch aw.Role(role) {
	case aw.RoleSuperAdmin, aw.RoleInstaller, aw.RoleResponder:
	default:
		return nil, aw.FieldError("role", "Rol is super_admin, installer of responder.")
	}
	if len(password) < 12 || len(password) > 72 {
		return nil, aw.FieldError("password", "Een wachtwoord heeft 12 tot 72 tekens.")
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(password), 12)
	if err != nil {
		return nil, err
	}
	u := &aw.User{Name: name, Role: aw.Role(role), PasswordHash: hash, CreatedAt: time.Now().UTC()}
	return u, st.CreateUser(ctx, u)
}

func printTokens(w io.Writer, ts []tokenInfo) {
	for _, t := range ts {
		state := "actief"
		if t.RevokedAt != nil {
			state = "ingetrokken " + t.RevokedAt.Format(time.RFC3339)
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\n", t.ID, t.Name, t.CreatedAt.Format(time.RFC3339), state)
	}
}
