package httpapi_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	aw "alleenwerken"
	"alleenwerken/cmd/testkit"
	"alleenwerken/httpapi"
)

// Times read as people write them: day, month in words, year and the
// minute, in the settings' time zone and the page's language.
func TestConsoleTimeFormat(t *testing.T) {
	ams, _ := time.LoadLocation("Europe/Amsterdam")
	at := time.Date(2026, 11, 29, 13, 54, 4, 0, time.UTC)
	for _, tc := range []struct{ lang, want string }{{"nl", "29 nov 2026 14:54"}, {"en", "29 Nov 2026 14:54"}} {
		if got := httpapi.LocalTime(at, ams, tc.lang); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.lang, got, tc.want)
		}
	}
	if got := httpapi.LocalTime(time.Date(2026, 3, 2, 9, 5, 0, 0, time.UTC), ams, "nl"); got != "2 mrt 2026 10:05" {
		t.Errorf("march: %q", got)
	}
	if got := httpapi.LocalTime(time.Time{}, ams, "nl"); got != "" {
		t.Errorf("zero: %q", got)
	}
}

// The information page and the list say why the alarm went off, and show
// the desk phone by its name, in both languages.
func TestConsoleInfoCauseAndNames(t *testing.T) {
	e := MustOpenConsoleEnv(t)
	a := e.RaiseAlarm() // the worker pressed Alarm
	call := e.Tel.Next(t)
	c := e.NewClient()
	c.Login(responderName)
	path := fmt.Sprintf("/console/alarms/%d", a.Number)
	p := c.Get(path)
	raised := httpapi.LocalTime(a.RaisedAt, mustLoc(t), "nl")
	for _, want := range []string{
		`id="cause">Alarmknop ingedrukt</dd>`, `<span class="num">201 Portiersloge</span>`,
		`id="alarm-time">` + raised + `</dd>`,
	} {
		if !strings.Contains(p.Body, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	call.Accept()
	testkit.EventuallyWithin(t, 10*time.Second, "accepted by 201", func() bool { return e.Alarm(a.ID).State == aw.AlarmAccepted })
	if p := c.Get(path); !strings.Contains(p.Body, `id="accepted-by">201 Portiersloge</dd>`) {
		t.Errorf("accepted by: page lacks the desk phone's name")
	}
	p = c.Get("/console/alarms")
	if p.Status != http.StatusOK || !strings.Contains(p.Body, "Alarmknop ingedrukt") || !strings.Contains(p.Body, raised) {
		t.Errorf("list lacks the cause or the time %q", raised)
	}
	en := e.NewClient()
	en.Login(responderName)
	en.Post("/lang", map[string][]string{"lang": {"en"}, "next": {path}})
	if p := en.Get(path); !strings.Contains(p.Body, `id="cause">Alarm button pressed</dd>`) ||
		!strings.Contains(p.Body, httpapi.LocalTime(a.RaisedAt, mustLoc(t), "en")) {
		t.Errorf("English page lacks the cause or the time")
	}
}

func mustLoc(t *testing.T) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Europe/Amsterdam")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// The super admin's "Alleen werken" page holds the ladder's settings (the
// loop pause among them), not the installer's fields: those are on
// Installatie. The pages follow the settings table.
func TestConsoleSettingsPages(t *testing.T) {
	e := MustOpenConsoleEnv(t)
	admin := e.NewClient()
	admin.Login(superName)
	p := admin.Get("/console/settings")
	for _, key := range aw.SettingKeys(aw.PageSettings) {
		if !strings.Contains(p.Body, `id="`+key+`"`) {
			t.Errorf("settings page lacks %s", key)
		}
	}
	for _, key := range aw.SettingKeys(aw.PageInstall) {
		if strings.Contains(p.Body, `id="`+key+`"`) {
			t.Errorf("settings page shows the installer's %s", key)
		}
	}
	if !strings.Contains(p.Body, `id="loop_pause"`) || strings.Contains(p.Body, `id="dial_template"`) || strings.Contains(p.Body, `id="trunk_endpoint"`) {
		t.Errorf("settings page: loop pause missing or installer fields shown")
	}
	inst := e.NewClient()
	inst.Login(installerName)
	p = inst.Get("/console/installation")
	for _, key := range []string{"dial_template", "trunk_endpoint", "caller_id", "extensions"} {
		if !strings.Contains(p.Body, `id="`+key+`"`) {
			t.Errorf("installation page lacks %s", key)
		}
	}
}
