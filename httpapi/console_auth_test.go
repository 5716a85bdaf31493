package httpapi_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	aw "alleenwerken"
)

func TestConsoleLogin(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		e := MustOpenConsoleEnv(t)
		c := e.NewClient()
		if p := c.Get("/console"); p.Status != http.StatusSeeOther || !strings.HasPrefix(p.Location, "/login") {
			t.Fatalf("not logged in: status %d location %q", p.Status, p.Location)
		}
		c.Get("/login")
		p := c.Post("/login", url.Values{"name": {superName}, "password": {testPassword}, "next": {"/console/settings"}})
		if p.Status != http.StatusSeeOther || p.Location != "/console/settings" {
			t.Fatalf("status %d location %q: %s", p.Status, p.Location, p.Body)
		}
		cookie := ""
		for _, h := range p.Header.Values("Set-Cookie") {
			if strings.HasPrefix(h, "aw_session=") {
				cookie = h
			}
		}
		for _, want := range []string{"HttpOnly", "SameSite=Lax", "Path=/"} {
			if !strings.Contains(cookie, want) {
				t.Fatalf("session cookie %q lacks %s", cookie, want)
			}
		}
		if strings.Contains(cookie, "Secure") {
			t.Fatalf("cookie %q is Secure on an http base URL", cookie)
		}
		if got := c.Get("/console/settings"); got.Status != http.StatusOK {
			t.Fatalf("settings: %d", got.Status)
		}
		if got := e.Audit(aw.AuditLogin); len(got) != 1 || got[0].Actor != superName || got[0].IP == "" {
			t.Fatalf("audit %+v", got)
		}
	})

	t.Run("SecureCookieOnHTTPS", func(t *testing.T) {
		e := MustOpenConsoleEnv(t)
		set, _ := e.DB.Settings(context.Background())
		set.PublicBaseURL = "https://alleenwerken.example.nl"
		if err := e.DB.SaveSettings(context.Background(), set); err != nil {
			t.Fatal(err)
		}
		req, _ := http.NewRequest("GET", e.HTTP.URL+"/login", nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if h := resp.Header.Get("Set-Cookie"); !strings.Contains(h, "Secure") || !strings.Contains(h, "SameSite=Strict") {
			t.Fatalf("csrf cookie %q", h)
		}
	})

	t.Run("ErrWrongPassword", func(t *testing.T) {
		e := MustOpenConsoleEnv(t)
		c := e.NewClient()
		c.Get("/login")
		for _, f := range []url.Values{
			{"name": {superName}, "password": {"wrong password!"}},
			{"name": {"niemand"}, "password": {testPassword}},
			{"name": {superName}},
		} {
			if p := c.Post("/login", f); p.Status != http.StatusUnauthorized || !strings.Contains(p.Body, "klopt niet") {
				t.Fatalf("%v: status %d", f, p.Status)
			}
		}
		if p := c.Get("/console"); p.Status != http.StatusSeeOther {
			t.Fatalf("logged in after failures: %d", p.Status)
		}
		if got := len(e.Audit(aw.AuditLoginFailed)); got != 3 {
			t.Fatalf("%d failures audited, want 3", got)
		}
	})

	t.Run("ErrDisabled", func(t *testing.T) {
		e := MustOpenConsoleEnv(t)
		now := e.Clock.Now()
		c := e.NewClient()
		c.Login(responderName)
		if _, err := e.DB.UpdateUser(context.Background(), e.Users[responderName].ID, func(u *aw.User) error { u.DisabledAt = &now; return nil }); err != nil {
			t.Fatal(err)
		}
		if p := c.Get("/console/alarms"); p.Status != http.StatusSeeOther {
			t.Fatalf("disabled user still in: %d", p.Status)
		}
		c2 := e.NewClient()
		c2.Get("/login")
		if p := c2.Post("/login", url.Values{"name": {responderName}, "password": {testPassword}}); p.Status != http.StatusUnauthorized {
			t.Fatalf("disabled user logged in: %d", p.Status)
		}
	})

	t.Run("Throttled", func(t *testing.T) {
		e := MustOpenConsoleEnv(t)
		c := e.NewClient()
		c.Get("/login")
		for i := 0; i < aw.LoginMaxFailures; i++ {
			c.Post("/login", url.Values{"name": {superName}, "password": {"wrong password!"}})
		}
		p := c.Post("/login", url.Values{"name": {superName}, "password": {testPassword}})
		if p.Status != http.StatusTooManyRequests || !strings.Contains(p.Body, "Te veel mislukte pogingen") {
			t.Fatalf("right password after %d failures: status %d", aw.LoginMaxFailures, p.Status)
		}
		if len(e.Audit(aw.AuditLoginThrottled)) != 1 {
			t.Fatal("throttled attempt not audited")
		}
		// Only this name is locked from this address: another user behind
		// it (an office's NAT) still gets in.
		c2 := e.NewClient()
		c2.Get("/login")
		if p := c2.Post("/login", url.Values{"name": {responderName}, "password": {testPassword}}); p.Status != http.StatusSeeOther {
			t.Fatalf("same IP, other user: %d, want 303", p.Status)
		}
		e.Clock.Advance(aw.LoginLockout)
		if p := c.Post("/login", url.Values{"name": {superName}, "password": {testPassword}}); p.Status != http.StatusSeeOther {
			t.Fatalf("after the lockout: %d", p.Status)
		}
	})

	t.Run("Logout", func(t *testing.T) {
		e := MustOpenConsoleEnv(t)
		c := e.NewClient()
		c.Login(superName)
		var old []*http.Cookie
		u, _ := url.Parse(e.HTTP.URL)
		old = c.http.Jar.Cookies(u)
		if p := c.Post("/logout", nil); p.Status != http.StatusSeeOther || p.Location != "/login" {
			t.Fatalf("logout: %d %q", p.Status, p.Location)
		}
		if p := c.Get("/console/settings"); p.Status != http.StatusSeeOther {
			t.Fatalf("after logout: %d", p.Status)
		}
		// The old cookie is dead on the server too.
		req, _ := http.NewRequest("GET", e.HTTP.URL+"/console/settings", nil)
		for _, ck := range old {
			req.AddCookie(ck)
		}
		resp, err := (&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("old cookie after logout: %d", resp.StatusCode)
		}
		if len(e.Audit(aw.AuditLogout)) != 1 {
			t.Fatal("logout not audited")
		}
	})

	t.Run("Expired", func(t *testing.T) {
		e := MustOpenConsoleEnv(t)
		c := e.NewClient()
		c.Login(superName)
		e.Clock.Advance(aw.ConsoleSessionTTL + time.Second)
		if p := c.Get("/console"); p.Status != http.StatusSeeOther {
			t.Fatalf("expired session: %d", p.Status)
		}
	})

	t.Run("NoOpenRedirect", func(t *testing.T) {
		e := MustOpenConsoleEnv(t)
		c := e.NewClient()
		c.Get("/login")
		p := c.Post("/login", url.Values{"name": {superName}, "password": {testPassword}, "next": {"//evil.example/x"}})
		if p.Location != "/console" {
			t.Fatalf("location %q", p.Location)
		}
	})
}
