package httpapi_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	aw "alleenwerken"
	"alleenwerken/cmd/testkit"
)

// live fetches the page's poll.
func live(t *testing.T, c *Client, path string) map[string]any {
	t.Helper()
	p := c.Get(path + "/live")
	if p.Status != http.StatusOK {
		t.Fatalf("live %s: %d %s", path, p.Status, p.Body)
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(p.Body), &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func TestConsoleInfoPage(t *testing.T) {
	e := MustOpenConsoleEnv(t)
	a := e.RaiseAlarm()
	call := e.Tel.Next(t)
	if call.Req.Number != "201" {
		t.Fatalf("first call to %s", call.Req.Number)
	}
	c := e.NewClient()
	c.Login(responderName)
	path := fmt.Sprintf("/console/alarms/%d", a.Number)

	p := c.Get(path)
	if p.Status != http.StatusOK {
		t.Fatalf("status %d", p.Status)
	}
	for _, want := range []string{
		fmt.Sprintf("Melding #%d | <span id=\"state\" class=\"state s-escalating\">Bezig met bellen</span>", a.Number),
		"Laura van Dijk", "31617782201", "Schothorsterlaan 54", "12513", "meterkast tweede verdieping",
		"in de kelder", "https://www.openstreetmap.org/?mlat=52.1601&amp;mlon=5.3997", "12 m", "3 min geleden",
		`<span class="num">201 Portiersloge</span> <span class="outcome o-">bezig</span>`, "31650262703", "nog niet gebeld",
		`id="handle-form"`, `name="csrf"`,
	} {
		if !strings.Contains(p.Body, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	if p.Header.Get("Cache-Control") != "no-store" || p.Header.Get("Referrer-Policy") != "no-referrer" {
		t.Errorf("headers %v", p.Header)
	}
	if got := e.Audit(aw.AuditAlarmViewed); len(got) != 1 || got[0].Actor != responderName || got[0].Target != fmt.Sprintf("#%d", a.Number) {
		t.Fatalf("view audit %+v", got)
	}

	// The page follows the ladder.
	v1 := live(t, c, path)["version"]
	call.End(aw.OutcomeBusy)
	call = e.Tel.Next(t)
	m := live(t, c, path)
	if m["version"] == v1 || !strings.Contains(m["html"].(string), "bezet") || m["open"] != true {
		t.Fatalf("after busy: %v", m)
	}
	call.Accept()
	testkit.EventuallyWithin(t, 10*time.Second, "accepted", func() bool { return e.Alarm(a.ID).State == aw.AlarmAccepted })
	m = live(t, c, path)
	if m["state"] != "Aangenomen" || !strings.Contains(m["html"].(string), "aangenomen") {
		t.Fatalf("after accept: %v", m)
	}
	if got := len(e.Audit(aw.AuditAlarmViewed)); got != 1 {
		t.Fatalf("polls were audited: %d views", got)
	}

	// Mark handled with a remark.
	p = c.Post(path+"/handle", url.Values{"remark": {"geslaagde test O.M.A."}})
	if p.Status != http.StatusSeeOther || p.Location != path+"?handled=1" {
		t.Fatalf("handle: %d %q %s", p.Status, p.Location, p.Body)
	}
	got := e.Alarm(a.ID)
	if got.State != aw.AlarmHandled || got.HandledBy != responderName || got.Remark != "geslaagde test O.M.A." {
		t.Fatalf("alarm %+v", got)
	}
	p = c.Get(path + "?handled=1")
	for _, want := range []string{"| <span id=\"state\" class=\"state s-handled\">Afgehandeld</span>", "geslaagde test O.M.A.", "Afgehandeld door", "De melding is afgehandeld"} {
		if !strings.Contains(p.Body, want) {
			t.Errorf("handled page lacks %q", want)
		}
	}
	if strings.Contains(p.Body, `id="handle-form"`) {
		t.Error("handled page still offers the form")
	}
	if h := e.Audit(aw.AuditAlarmHandled); len(h) != 1 || h[0].Actor != responderName || h[0].New != "geslaagde test O.M.A." {
		t.Fatalf("handled audit %+v", h)
	}
	// Again: refused with a message.
	if p := c.Post(path+"/handle", url.Values{"remark": {"nog eens"}}); p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Body, "al afgehandeld") {
		t.Fatalf("second handle: %d", p.Status)
	}
}

func TestConsoleHandleStopsLadder(t *testing.T) {
	e := MustOpenConsoleEnv(t)
	a := e.RaiseAlarm()
	e.Tel.Next(t) // 201 rings and rings
	c := e.NewClient()
	c.Login(superName)
	path := fmt.Sprintf("/console/alarms/%d", a.Number)
	c.Get(path)
	if p := c.Post(path+"/handle", url.Values{"remark": {"vals alarm"}}); p.Status != http.StatusSeeOther {
		t.Fatalf("handle: %d %s", p.Status, p.Body)
	}
	testkit.EventuallyWithin(t, 10*time.Second, "the ringing call is hung up", func() bool { return e.Tel.Cancelled() == 1 })
	e.Clock.Advance(time.Hour)
	if !e.Tel.Quiet(300 * time.Millisecond) {
		t.Fatal("the ladder went on calling after the alarm was handled")
	}
	if e.Svc.Escalator().Running(a.ID) {
		t.Fatal("ladder still running")
	}
}

func TestConsoleAlarmList(t *testing.T) {
	e := MustOpenConsoleEnv(t)
	a := e.RaiseAlarm()
	c := e.NewClient()
	c.Login(responderName)
	p := c.Get("/console/alarms")
	if !strings.Contains(p.Body, fmt.Sprintf("#%d", a.Number)) || !strings.Contains(p.Body, "Bezig met bellen") {
		t.Fatalf("list: %s", p.Body)
	}
	// Privacy: no names or places in the list.
	if strings.Contains(p.Body, "Laura") || strings.Contains(p.Body, "Schothorsterlaan") {
		t.Fatal("the list shows personal data")
	}
	if p := c.Get(fmt.Sprintf("/console/alarms?number=%%23%d", a.Number)); p.Location != fmt.Sprintf("/console/alarms/%d", a.Number) {
		t.Fatalf("search: %d %q", p.Status, p.Location)
	}
	if p := c.Get("/console/alarms/99999"); p.Status != http.StatusNotFound {
		t.Fatalf("unknown number: %d", p.Status)
	}
	if p := c.Get("/console/nope"); p.Status != http.StatusNotFound || !strings.Contains(p.Body, "Deze pagina bestaat niet") {
		t.Fatalf("unknown page: %d %s", p.Status, p.Body)
	}
	if p := c.Get("/api/v1/nope"); p.Status != http.StatusNotFound || !strings.Contains(p.Body, `"code":"not_found"`) {
		t.Fatalf("unknown API address: %d %s", p.Status, p.Body)
	}
	if p := c.Get("/console"); !strings.Contains(p.Body, fmt.Sprintf("#%d", a.Number)) {
		t.Fatal("home lacks the open alarm")
	}
}

// The information page lists the alarm's SMS with how far each got, in
// words, and the poll notices a delivery report.
func TestConsoleInfoPageSMS(t *testing.T) {
	e := MustOpenConsoleEnv(t)
	a := e.RaiseAlarm()
	e.Tel.Next(t)
	ctx := context.Background()
	now := e.Clock.Now()
	msgs := map[string]*aw.SMS{}
	for _, m := range []*aw.SMS{
		{Kind: aw.SMSAlarm, To: "+31650262703", State: aw.SMSQueued},
		{Kind: aw.SMSAlarm, To: "+31650929952", State: aw.SMSQueued},
		{Kind: aw.SMSResponder, To: "+31650111222", State: aw.SMSQueued},
	} {
		m.Text, m.AlarmID, m.SessionID, m.CreatedAt = "x", a.ID, a.SessionID, now
		if err := e.DB.EnqueueSMS(ctx, m); err != nil {
			t.Fatal(err)
		}
		msgs[m.To] = m
	}
	set := func(to string, fn func(m *aw.SMS)) {
		t.Helper()
		if _, err := e.DB.UpdateSMS(ctx, msgs[to].ID, func(m *aw.SMS) error { fn(m); return nil }); err != nil {
			t.Fatal(err)
		}
	}
	set("+31650262703", func(m *aw.SMS) { m.State, m.SentAt = aw.SMSSent, &now })
	set("+31650929952", func(m *aw.SMS) { m.State, m.LastError = aw.SMSFailed, "CMS ERROR 500" })

	c := e.NewClient()
	c.Login(responderName)
	path := fmt.Sprintf("/console/alarms/%d", a.Number)
	p := c.Get(path)
	for _, want := range []string{
		"SMS bij deze melding",
		`<span class="num">&#43;31650262703</span> alarm-SMS <span class="outcome d-wait">verzonden, nog geen ontvangstbevestiging</span>`,
		`<span class="num">&#43;31650929952</span> alarm-SMS <span class="outcome d-fail">mislukt</span>`,
		`<span class="num">&#43;31650111222</span> gegevens voor de hulpverlener <span class="outcome d-wait">in de wachtrij</span>`,
	} {
		if !strings.Contains(p.Body, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	v1 := live(t, c, path)["version"]
	later := now.Add(8 * time.Second)
	set("+31650262703", func(m *aw.SMS) { m.Delivery, m.DeliveryAt = aw.DeliveryDelivered, &later })
	m := live(t, c, path)
	if m["version"] == v1 || !strings.Contains(m["html"].(string), `<span class="outcome d-ok">afgeleverd</span>`) {
		t.Fatalf("after the delivery report: %v", m)
	}
}
