package httpapi_test

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
)

// consoleRoutes is who may use each console route; the test checks that it
// lists every route under /console.
var consoleRoutes = map[string][]string{
	"GET /console":                                 {superName, installerName, responderName},
	"GET /console/alarms":                          {superName, responderName},
	"GET /console/alarms/:number":                  {superName, responderName},
	"GET /console/alarms/:number/live":             {superName, responderName},
	"POST /console/alarms/:number/handle":          {superName, responderName},
	"GET /console/settings":                        {superName},
	"POST /console/settings":                       {superName},
	"GET /console/users":                           {superName},
	"POST /console/users":                          {superName},
	"POST /console/users/:id/role":                 {superName},
	"POST /console/users/:id/password":             {superName},
	"POST /console/users/:id/disable":              {superName},
	"POST /console/users/:id/enable":               {superName},
	"GET /console/audit":                           {superName},
	"GET /console/health":                          {superName, installerName},
	"GET /console/installation":                    {superName, installerName},
	"POST /console/installation/tokens":            {superName, installerName},
	"POST /console/installation/tokens/:id/revoke": {superName, installerName},
	"POST /console/installation/test-alarm":        {superName, installerName},
	"POST /console/installation/telephony":         {superName, installerName},
	"POST /console/installation/trunk":             {superName, installerName},
	"POST /console/installation/extensions":        {superName, installerName},
	"POST /console/installation/prompt":            {superName, installerName},
	"POST /console/installation/connection":        {superName, installerName},
	"POST /console/installation/sim-pin":           {superName, installerName},
	"GET /console/backup":                          {superName},
}

// TestConsoleRoles runs each role against each console route: allowed, or
// 403; not logged in: a redirect to the log-in page (GET) or 401.
func TestConsoleRoles(t *testing.T) {
	e := MustOpenConsoleEnv(t)
	a := e.RaiseAlarm()
	link := e.Link(a.ID)

	seen := map[string]bool{}
	for _, r := range e.Server.Engine().Routes() {
		if !strings.HasPrefix(r.Path, "/console") {
			continue
		}
		key := r.Method + " " + r.Path
		seen[key] = true
		if _, ok := consoleRoutes[key]; !ok {
			t.Errorf("route %s is missing from the role matrix", key)
		}
	}
	for key := range consoleRoutes {
		if !seen[key] {
			t.Errorf("role matrix lists %s, which is not served", key)
		}
	}

	clients := map[string]*Client{"": e.NewClient()}
	clients[""].Get("/login")
	for _, name := range []string{superName, installerName, responderName} {
		clients[name] = e.NewClient()
		clients[name].Login(name)
	}
	for key, allowed := range consoleRoutes {
		method, path, _ := strings.Cut(key, " ")
		path = routePath(e, path, a.Number, link)
		for _, who := range []string{"", superName, installerName, responderName} {
			c := clients[who]
			var p *Page
			if method == "GET" {
				p = c.Get(path)
			} else {
				// Harmless forms: an invalid value, so nothing changes
				// for the roles that may.
				p = c.Post(path, url.Values{"fallback_number": {"x"}, "name": {""}, "role": {"nope"}, "password": {"short"}, "remark": {strings.Repeat("x", 600)}})
			}
			role := who
			if who == "" {
				role = "anonymous"
			}
			switch {
			case who == "" && method == "GET" && !strings.HasSuffix(path, "/live"):
				if p.Status != http.StatusSeeOther || !strings.HasPrefix(p.Location, "/login") {
					t.Errorf("%s as %s: status %d location %q, want 303 to /login", key, role, p.Status, p.Location)
				}
			case who == "":
				if p.Status != http.StatusUnauthorized {
					t.Errorf("%s as %s: status %d, want 401", key, role, p.Status)
				}
			case slices.Contains(allowed, who):
				if p.Status == http.StatusForbidden || p.Status == http.StatusUnauthorized || p.Status >= 500 {
					t.Errorf("%s as %s: status %d, want allowed", key, role, p.Status)
				}
			default:
				if p.Status != http.StatusForbidden {
					t.Errorf("%s as %s: status %d, want 403", key, role, p.Status)
				}
			}
		}
	}
	if got := e.Alarm(a.ID); got.HandledAt != nil {
		t.Fatalf("alarm handled by the matrix: %+v", got)
	}
	_ = fmt.Sprint
}
