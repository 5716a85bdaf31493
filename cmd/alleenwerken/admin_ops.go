package main

import (
	"context"
	"fmt"
	"io"
	"time"

	aw "alleenwerken"
)

// adminOps are the admin operations by one actor, shared by the admin
// socket (daemon running) and the direct mode (daemon stopped). The
// services check, write and audit each.
type adminOps struct {
	users   *aw.UserService
	devices *aw.DeviceService
	by      aw.Actor
}

// tokenInfo is a device as the admin commands show it; Token only on create.
type tokenInfo struct {
	ID        string     `json:"id"`
	Name      string     `json:"name"`
	Token     string     `json:"token,omitempty"`
	CreatedAt time.Time  `json:"created_at"`
	RevokedAt *time.Time `json:"revoked_at,omitempty"`
}

// newTokenInfo is d in UTC, with token when it was just made.
func newTokenInfo(d *aw.Device, token string) tokenInfo {
	t := tokenInfo{ID: d.ID, Name: d.Name, Token: token, CreatedAt: d.CreatedAt.UTC()}
	if d.RevokedAt != nil {
		r := d.RevokedAt.UTC()
		t.RevokedAt = &r
	}
	return t
}

func (o adminOps) createToken(ctx context.Context, name string) (tokenInfo, error) {
	d, tok, err := o.devices.CreateDevice(ctx, o.by, name)
	if err != nil {
		return tokenInfo{}, err
	}
	return newTokenInfo(d, tok), nil
}

func (o adminOps) listTokens(ctx context.Context) ([]tokenInfo, error) {
	ds, err := o.devices.Devices(ctx)
	if err != nil {
		return nil, err
	}
	out := []tokenInfo{}
	for _, d := range ds {
		out = append(out, newTokenInfo(d, ""))
	}
	return out, nil
}

func (o adminOps) revokeToken(ctx context.Context, id string) error {
	_, err := o.devices.RevokeDevice(ctx, o.by, id)
	return err
}

func (o adminOps) createUser(ctx context.Context, name, role, password string) (*aw.User, error) {
	return o.users.CreateUser(ctx, o.by, name, aw.Role(role), password)
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
