package main_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	aw "alleenwerken"
	"alleenwerken/cmd/testkit"
)

// TestLoginLockoutSurvivesRestart: after too many wrong passwords the real
// daemon refuses even the right one, and still does after a restart.
func TestLoginLockoutSurvivesRestart(t *testing.T) {
	sim := testkit.NewModemSim(t)
	d := startReal(t, sim.Path(), "")
	d.WaitHealthy("sms", 15*time.Second)
	c := loginInstaller(t, d)
	c.do("POST", "/logout", url.Values{})
	login := func(password string) (int, string) {
		c.do("GET", "/login", nil)
		return c.do("POST", "/login", url.Values{"name": {"inst"}, "password": {password}})
	}
	for i := 0; i < aw.LoginMaxFailures; i++ {
		if st, _ := login("verkeerd wachtwoord"); st != http.StatusUnauthorized {
			t.Fatalf("wrong password %d: %d", i+1, st)
		}
	}
	if st, body := login("Installateur-wachtwoord-1"); st != http.StatusTooManyRequests || !strings.Contains(body, "Te veel mislukte pogingen") {
		t.Fatalf("right password after %d failures: %d", aw.LoginMaxFailures, st)
	}
	d.Restart()
	d.WaitHealthy("sms", 15*time.Second)
	c.base = d.Base
	if st, _ := login("Installateur-wachtwoord-1"); st != http.StatusTooManyRequests {
		t.Fatalf("right password after the restart: %d, want 429 (lock-out lost)", st)
	}
}
