package httpapi_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// evilNexts are "next" values that a browser could read as another host
// (it drops tabs and newlines and reads a backslash as a slash), in plain
// and encoded forms, and paths that leave the console's pages.
var evilNexts = []string{
	"//evil.example/x", "/\\evil.example", "/\t/evil.example", "/%09/evil.example",
	"/\r\n/evil.example", "/%0d%0a/evil.example", "\\\\evil.example", "/%5Cevil.example",
	"/%2F%2Fevil.example", "/%2f/evil.example", "https://evil.example/", "http:/evil.example",
	"javascript:alert(1)", "evil.example", "/console/../../evil.example", "/%2e%2e/api/v1/sessions",
	"/console\\@evil.example", "/ /evil.example", "//%09evil.example", "/api/v1/sessions", "",
}

// After a log-in and after a language change, only pages of this console
// are followed: every evil next goes to /console, and the console's own
// pages keep their query.
func TestNoOpenRedirect(t *testing.T) {
	e := MustOpenConsoleEnv(t)
	for _, next := range evilNexts {
		c := e.NewClient()
		c.Get("/login")
		if p := c.Post("/lang", url.Values{"lang": {"en"}, "next": {next}}); p.Status != http.StatusSeeOther || p.Location != "/console" {
			t.Errorf("/lang next=%q: %d to %q, want /console", next, p.Status, p.Location)
		}
		if p := c.Post("/login", url.Values{"name": {superName}, "password": {testPassword}, "next": {next}}); p.Status != http.StatusSeeOther || p.Location != "/console" {
			t.Errorf("/login next=%q: %d to %q, want /console", next, p.Status, p.Location)
		}
	}
	for next, want := range map[string]string{
		"/console/settings":        "/console/settings",
		"/console/alarms?number=7": "/console/alarms?number=7",
		"/m/abc":                   "/m/abc",
		"/melding?number=101":      "/melding?number=101",
		"/console/./users":         "/console/users",
	} {
		c := e.NewClient()
		c.Get("/login")
		if p := c.Post("/lang", url.Values{"lang": {"nl"}, "next": {next}}); p.Location != want {
			t.Errorf("/lang next=%q: to %q, want %q", next, p.Location, want)
		}
	}
}

// In Chromium, the log-in page opened with a next that browsers read as
// another host ("/<tab>/host") lands on this console.
func TestNoOpenRedirectInBrowser(t *testing.T) {
	e := MustOpenConsoleEnv(t)
	b := NewBrowser(t, e.HTTP.URL)
	tab := b.NewTab()
	tab.Open("/login?next=" + url.QueryEscape("/\t/evil.example/x"))
	tab.Fill("name", superName)
	tab.Fill("password", testPassword)
	tab.Submit("#login")
	// Location is the path on this console, or the whole URL elsewhere.
	if loc := tab.Location(); loc != "/console" {
		t.Fatalf("after log-in Chromium is at %q, want /console", loc)
	}
}

// /static/ serves the console's files, and no listing of its folder.
func TestStaticNoListing(t *testing.T) {
	e := MustOpenConsoleEnv(t)
	c := e.NewClient()
	if p := c.Get("/static/console.css"); p.Status != http.StatusOK {
		t.Fatalf("console.css: %d", p.Status)
	}
	for _, path := range []string{"/static/", "/static", "/static/."} {
		p := c.Get(path)
		if p.Status == http.StatusOK || strings.Contains(p.Body, `href="console.css"`) {
			t.Fatalf("%s: %d lists the folder: %s", path, p.Status, p.Body)
		}
	}
}
