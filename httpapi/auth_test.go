package httpapi_test

import (
	"context"
	"net/http"
	"testing"
)

func TestAuth(t *testing.T) {
	e := MustOpenEnv(t)
	s := e.MustStart()
	revoked, revokedID := e.NewDevice("Telefoon kwijt")
	if err := e.DB.RevokeDevice(context.Background(), revokedID, t0); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name, header string
	}{
		{"Missing", ""},
		{"Unknown", "Bearer aw_onbekend"},
		{"Revoked", "Bearer " + revoked},
		{"EmptyToken", "Bearer "},
		{"OtherScheme", "Basic " + e.Token},
		{"TokenWithoutScheme", e.Token},
	} {
		t.Run("Err"+tt.name, func(t *testing.T) {
			for _, r := range []struct{ method, path string }{
				{"POST", "/api/v1/sessions"},
				{"GET", "/api/v1/sessions/" + s.ID},
				{"POST", "/api/v1/sessions/" + s.ID + "/stop"},
				{"PUT", "/api/v1/sessions/" + s.ID + "/location"},
			} {
				resp := e.DoToken("", r.method, r.path, nil, "Authorization", tt.header)
				if got, want := resp.Status, http.StatusUnauthorized; got != want {
					t.Fatalf("%s %s: status %d, want %d: %s", r.method, r.path, got, want, resp.Body)
				}
				if got, want := resp.Error(t).Code, "unauthorized"; got != want {
					t.Fatalf("code %q, want %q", got, want)
				}
				if resp.Header.Get("WWW-Authenticate") == "" {
					t.Fatal("no WWW-Authenticate header")
				}
			}
		})
	}

	t.Run("CaseInsensitiveScheme", func(t *testing.T) {
		if got, want := e.DoToken("", "GET", "/api/v1/sessions/"+s.ID, nil, "Authorization", "bearer "+e.Token).Status, http.StatusOK; got != want {
			t.Fatalf("status %d, want %d", got, want)
		}
	})

	t.Run("RevokedSessionStaysArmed", func(t *testing.T) {
		tok, id := e.NewDevice("Telefoon Piet")
		ps := e.DoToken(tok, "POST", "/api/v1/sessions", startBody()).Session(t)
		if err := e.DB.RevokeDevice(context.Background(), id, t0); err != nil {
			t.Fatal(err)
		}
		if got, want := e.DoToken(tok, "GET", "/api/v1/sessions/"+ps.ID, nil).Status, http.StatusUnauthorized; got != want {
			t.Fatalf("status %d, want %d", got, want)
		}
		stored, err := e.DB.Session(context.Background(), ps.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := string(stored.State), "active"; got != want {
			t.Fatalf("state %q, want %q", got, want)
		}
	})
}
