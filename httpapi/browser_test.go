package httpapi_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	aw "alleenwerken"
	"alleenwerken/cmd/testkit"
)

// TestBrowser walks through the console in headless Chromium: an
// installer's and an admin's tasks, an alarm from the app API watched on its
// information page as the ladder calls, the ways in for a responder, handling
// it, and the refusals.
func TestBrowser(t *testing.T) {
	e := MustOpenConsoleEnv(t)
	b := NewBrowser(t, e.HTTP.URL)
	start := time.Now()
	defer func() { t.Logf("browser walk-through took %s", time.Since(start).Round(time.Millisecond)) }()

	admin := b.NewTab()
	step := func(name string, f func(t *testing.T)) { b.Step(t, name, f) }

	step("LogIn", func(t *testing.T) {
		if r := admin.Login(superName, testPassword); r.Status != http.StatusOK {
			t.Fatalf("status %d", r.Status)
		}
		if got := admin.Text("h1"); got != "Alleen Werken" {
			t.Fatalf("home h1 %q", got)
		}
	})

	step("ChangeFallbackNumber", func(t *testing.T) {
		admin.Open("/console/settings")
		if got := admin.Text(".crumbs"); !strings.Contains(got, "Organisatie › Stamgegevens › Instellingen › Alleen werken") {
			t.Fatalf("crumbs %q", got)
		}
		admin.Fill("fallback_number", "06 12345678")
		admin.Submit("#save")
		if got := admin.Text("#flash"); !strings.Contains(got, "opgeslagen") {
			t.Fatalf("flash %q", got)
		}
		if s, _ := e.DB.Settings(context.Background()); s.FallbackNumber != "+31612345678" {
			t.Fatalf("fallback %q", s.FallbackNumber)
		}
		if a := e.Audit(aw.AuditSettingChanged); len(a) != 1 || a[0].New != "+31612345678" {
			t.Fatalf("audit %+v", a)
		}
	})

	step("ValidationErrorNextToField", func(t *testing.T) {
		admin.Fill("ring_timeout", "999")
		if r := admin.Submit("#save"); r.Status != http.StatusUnprocessableEntity {
			t.Fatalf("status %d", r.Status)
		}
		if got := admin.Text("#field-ring_timeout .field-error"); !strings.Contains(got, "beltijd") {
			t.Fatalf("error next to the field %q", got)
		}
		if s, _ := e.DB.Settings(context.Background()); s.RingTimeout != 30*time.Second {
			t.Fatalf("saved anyway: %s", s.RingTimeout)
		}
	})

	step("DeviceToken", func(t *testing.T) {
		admin.Open("/console/installation")
		admin.Fill("device-name", "Telefoon Browser")
		admin.Submit("#create-token")
		tok := admin.Text("#new-token")
		if !strings.HasPrefix(tok, "aw_") {
			t.Fatalf("token %q", tok)
		}
		if st, _ := apiCall(t, e, tok, "GET", "/api/v1/sessions/none", nil); st != http.StatusNotFound {
			t.Fatalf("new token: %d, want 404 (known device)", st)
		}
		admin.Submit(`tr[data-name="Telefoon Browser"] button.revoke`)
		if got := admin.Text("#flash"); !strings.Contains(got, "ingetrokken") {
			t.Fatalf("flash %q", got)
		}
		if st, _ := apiCall(t, e, tok, "GET", "/api/v1/sessions/none", nil); st != http.StatusUnauthorized {
			t.Fatalf("revoked token: %d, want 401", st)
		}
	})

	var a *aw.Alarm
	var call *testkit.StepCall
	responder := b.NewTab()
	infoPath := ""
	step("AlarmPageFollowsLadder", func(t *testing.T) {
		st, body := apiCall(t, e, e.Token, "POST", "/api/v1/sessions", startBody())
		if st != http.StatusCreated {
			t.Fatalf("start: %d %v", st, body)
		}
		sid := body["id"].(string)
		if st, body := apiCall(t, e, e.Token, "POST", "/api/v1/sessions/"+sid+"/alarm", nil); st != http.StatusAccepted {
			t.Fatalf("alarm: %d %v", st, body)
		}
		a = e.WaitAlarm(sid)
		call = e.Tel.Next(t)
		infoPath = fmt.Sprintf("/console/alarms/%d", a.Number)

		responder.Login(responderName, testPassword)
		responder.Open(infoPath)
		if got := responder.Text("#title"); got != fmt.Sprintf("Melding #%d | Bezig met bellen", a.Number) {
			t.Fatalf("title %q", got)
		}
		// Why it went off, and the desk phone by its name, as text.
		if got := responder.Text("#cause"); got != "Alarmknop ingedrukt" {
			t.Fatalf("cause %q", got)
		}
		if got := responder.Text("#attempts li:first-child .num"); got != "201 Portiersloge" {
			t.Fatalf("first number %q, want 201 Portiersloge", got)
		}
		for sel, want := range map[string]string{"#worker": "Laura van Dijk", "#address": "Schothorsterlaan 54", "#reference": "12513", "#description": "meterkast"} {
			if got := responder.Text(sel); !strings.Contains(got, want) {
				t.Fatalf("%s %q, want %q", sel, got, want)
			}
		}
		call.End(aw.OutcomeBusy)
		responder.WaitJS("busy on the page", `document.getElementById('attempts').innerText.includes('bezet')`)
		call = e.Tel.Next(t)
		call.End(aw.OutcomeDeclined)
		responder.WaitJS("declined on the page", `document.getElementById('attempts').innerText.includes('geweigerd')`)
		call = e.Tel.Next(t)
		call.End(aw.OutcomeNoAnswer)
		responder.WaitJS("no answer on the page", `document.getElementById('attempts').innerText.includes('geen gehoor')`)
		call = e.Tel.Next(t)
		if call.Req.Number != "+31612345678" {
			t.Fatalf("fallback call to %s, want the new fallback number", call.Req.Number)
		}
		responder.WaitJS("the fallback ringing", `document.getElementById('attempts').innerText.includes('+31612345678')`)
		responder.Screenshot("info-desktop.png", 1280, 900, false)
		responder.Screenshot("info-phone.png", 390, 844, true)
	})

	step("SMSLink", func(t *testing.T) {
		link := e.Link(a.ID)
		anon := b.NewTab()
		if st := anon.Open(link); st != http.StatusOK {
			t.Fatalf("status %d", st)
		}
		if got := anon.Text("#title"); !strings.HasPrefix(got, fmt.Sprintf("Melding #%d | ", a.Number)) {
			t.Fatalf("title %q", got)
		}
		if got := anon.Text("#worker"); !strings.Contains(got, "Laura van Dijk") {
			t.Fatalf("worker %q", got)
		}
	})

	var codeTab *Tab
	step("NumberAndAccessCode", func(t *testing.T) {
		codeTab = b.NewTab()
		codeTab.Open("/melding")
		codeTab.Fill("number", fmt.Sprint(a.Number))
		codeTab.Fill("code", a.AccessCode)
		if r := codeTab.Submit("#open"); r.Status != http.StatusOK {
			t.Fatalf("status %d", r.Status)
		}
		if !strings.HasPrefix(codeTab.Location(), "/m/") {
			t.Fatalf("at %s", codeTab.Location())
		}
		if got := codeTab.Text("#worker"); !strings.Contains(got, "Laura van Dijk") {
			t.Fatalf("worker %q", got)
		}
	})

	step("RefusedWrongAccessCode", func(t *testing.T) {
		wrong := b.NewTab()
		wrong.Open("/melding")
		wrong.Fill("number", fmt.Sprint(a.Number))
		bad := "1234"
		if a.AccessCode == bad {
			bad = "4321"
		}
		wrong.Fill("code", bad)
		if r := wrong.Submit("#open"); r.Status != http.StatusForbidden {
			t.Fatalf("status %d", r.Status)
		}
		if got := wrong.Text("#error"); !strings.Contains(got, "klopt niet") {
			t.Fatalf("error %q", got)
		}
		if wrong.Eval(`document.body.innerText.includes('Laura')`) {
			t.Fatal("the page shows the worker after a wrong code")
		}
	})

	step("MarkHandledStopsLadder", func(t *testing.T) {
		responder.Open(infoPath)
		responder.Fill("remark", "geslaagde test O.M.A.")
		responder.Submit("#handle")
		if got := responder.Text("#title"); got != fmt.Sprintf("Melding #%d | Afgehandeld", a.Number) {
			t.Fatalf("title %q", got)
		}
		if got := responder.Text("#handled-remark"); got != "geslaagde test O.M.A." {
			t.Fatalf("remark %q", got)
		}
		testkit.EventuallyWithin(t, 10*time.Second, "the ringing call is hung up", func() bool { return e.Tel.Cancelled() == 1 })
		e.Clock.Advance(10 * time.Minute)
		if !e.Tel.Quiet(300 * time.Millisecond) {
			t.Fatal("the ladder called again after the alarm was handled")
		}
		// The page opened by the code follows by itself and drops the form.
		codeTab.WaitJS("handled on the other page", `document.getElementById('state').innerText === 'Afgehandeld' && !document.getElementById('handle-form')`)
	})

	step("TestAlarmMarkedTest", func(t *testing.T) {
		admin.Open("/console/installation")
		admin.Fill("test-numbers", "201")
		admin.Submit("#test-alarm")
		call := e.Tel.Next(t)
		if call.Req.Number != "201" || !call.Req.Test {
			t.Fatalf("call %+v, want a test call to 201", call.Req)
		}
		call.Accept()
		alarms, _ := e.DB.Alarms(context.Background(), 1)
		ta := alarms[0]
		testkit.EventuallyWithin(t, 10*time.Second, "accepted", func() bool { return e.Alarm(ta.ID).State == aw.AlarmAccepted })
		admin.Open(fmt.Sprintf("/console/alarms/%d", ta.Number))
		if got := admin.Text("#title"); got != fmt.Sprintf("Melding #%d | Aangenomen TEST", ta.Number) {
			t.Fatalf("title %q", got)
		}
	})

	step("HealthScreenshot", func(t *testing.T) {
		admin.Open("/console/health")
		if got := admin.Text("#overall"); !strings.Contains(got, "Totaal") {
			t.Fatalf("overall %q", got)
		}
		admin.Screenshot("health.png", 1280, 900, false)
	})

	step("RefusedAfterLogout", func(t *testing.T) {
		admin.Submit("#logout")
		if loc := admin.Location(); !strings.HasPrefix(loc, "/login") {
			t.Fatalf("after logout at %s", loc)
		}
		admin.Open("/console/settings")
		if loc := admin.Location(); !strings.HasPrefix(loc, "/login") {
			t.Fatalf("settings after logout at %s", loc)
		}
	})

	step("RefusedExpiredLink", func(t *testing.T) {
		link := e.Link(a.ID)
		e.Clock.Advance(aw.InfoTokenTTL)
		tab := b.NewTab()
		if st := tab.Open(link); st != http.StatusForbidden {
			t.Fatalf("status %d", st)
		}
		if got := tab.Text("#error"); !strings.Contains(got, "verlopen") {
			t.Fatalf("error %q", got)
		}
	})

	step("RefusedAfterTooManyLogins", func(t *testing.T) {
		tab := b.NewTab()
		for i := 0; i < 5; i++ {
			if r := tab.Login(installerName, "wrong password"); r.Status != http.StatusUnauthorized {
				t.Fatalf("attempt %d: %d", i+1, r.Status)
			}
		}
		if r := tab.Login(installerName, testPassword); r.Status != http.StatusTooManyRequests {
			t.Fatalf("right password after 5 failures: %d", r.Status)
		}
		if got := tab.Text("#error"); !strings.Contains(got, "Te veel mislukte pogingen") {
			t.Fatalf("error %q", got)
		}
	})
}
