package httpapi_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// routePath fills a route's parameters with real values, so a refusal is
// the CSRF check's and not a 404.
func routePath(e *ConsoleEnv, path string, number int, link string) string {
	devs, _ := e.DB.Devices(context.Background())
	r := strings.NewReplacer(
		":number", fmt.Sprint(number),
		":token", strings.TrimPrefix(link, "/m/"),
		":id", e.Users[targetName].ID,
	)
	if strings.HasPrefix(path, "/console/installation/tokens/") {
		path = strings.Replace(path, ":id", devs[0].ID, 1)
	}
	return r.Replace(path)
}

// TestConsoleCSRF lists every state-changing route of the router and checks
// that each refuses a request without, or with a wrong, CSRF token. The app
// API's routes take no cookies (a bearer token only), so a cookie session
// alone gets them nowhere either.
func TestConsoleCSRF(t *testing.T) {
	e := MustOpenConsoleEnv(t)
	a := e.RaiseAlarm()
	link := e.Link(a.ID)
	c := e.NewClient()
	c.Login(superName)
	before, _ := e.DB.Settings(context.Background())

	n := 0
	for _, r := range e.Server.Engine().Routes() {
		switch r.Method {
		case "POST", "PUT", "PATCH", "DELETE":
		default:
			continue
		}
		n++
		path := routePath(e, r.Path, a.Number, link)
		form := url.Values{"fallback_number": {"0612345678"}, "name": {"x"}, "remark": {"x"}, "role": {"installer"},
			"password": {"another password 1"}, "lang": {"en"}, "number": {fmt.Sprint(a.Number)}, "code": {a.AccessCode}}
		for _, tc := range []struct {
			name string
			csrf []string
		}{{"Missing", nil}, {"Wrong", []string{"not-the-token"}}, {"Empty", []string{""}}} {
			f := url.Values{}
			for k, v := range form {
				f[k] = v
			}
			if tc.csrf != nil {
				f["csrf"] = tc.csrf
			}
			p := c.Send(r.Method, path, f)
			if strings.HasPrefix(r.Path, "/api/") {
				if p.Status != http.StatusUnauthorized {
					t.Errorf("%s %s (%s): status %d, want 401 (no bearer token)", r.Method, r.Path, tc.name, p.Status)
				}
				continue
			}
			if p.Status != http.StatusForbidden {
				t.Errorf("%s %s (%s CSRF token): status %d, want 403", r.Method, r.Path, tc.name, p.Status)
			}
		}
	}
	if n < 15 {
		t.Fatalf("only %d state-changing routes found", n)
	}
	// Nothing changed.
	if after, _ := e.DB.Settings(context.Background()); after.FallbackNumber != before.FallbackNumber {
		t.Fatal("settings changed without a CSRF token")
	}
	if got := e.Alarm(a.ID); got.HandledAt != nil {
		t.Fatal("alarm handled without a CSRF token")
	}
	if u, _ := e.DB.UserByID(context.Background(), e.Users[targetName].ID); u.DisabledAt != nil || u.Role != "responder" {
		t.Fatal("user changed without a CSRF token")
	}

	// A visitor who is not logged in has a token of their own, and the
	// logged-in user's token is worth nothing to them.
	anon := e.NewClient()
	anon.Get("/melding")
	if p := anon.Post("/melding", url.Values{"number": {fmt.Sprint(a.Number)}, "code": {a.AccessCode}, "csrf": {c.CSRF}}); p.Status != http.StatusForbidden {
		t.Fatalf("another session's token: %d", p.Status)
	}
	if p := anon.Post("/melding", url.Values{"number": {fmt.Sprint(a.Number)}, "code": {a.AccessCode}}); p.Status != http.StatusSeeOther {
		t.Fatalf("own token: %d %s", p.Status, p.Body)
	}
	// A header works as well as the form field.
	req, _ := http.NewRequest("POST", e.HTTP.URL+"/lang", strings.NewReader("lang=en"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-CSRF-Token", c.CSRF)
	p := c.do(req)
	if p.Status != http.StatusSeeOther {
		t.Fatalf("X-CSRF-Token header: %d", p.Status)
	}
}
