package httpapi_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	aw "alleenwerken"
)

func TestConsoleLink(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		e := MustOpenConsoleEnv(t)
		a := e.RaiseAlarm()
		e.Tel.Next(t)
		link := e.Link(a.ID)
		c := e.NewClient()
		p := c.Get(link)
		if p.Status != http.StatusOK || !strings.Contains(p.Body, fmt.Sprintf("Melding #%d", a.Number)) || !strings.Contains(p.Body, "Laura van Dijk") {
			t.Fatalf("link: %d", p.Status)
		}
		if !strings.Contains(p.Body, `id="handle-name"`) {
			t.Fatal("no name field for a responder without log-in")
		}
		if v := e.Audit(aw.AuditAlarmViewed); len(v) != 1 || v[0].Actor != "sms-link" {
			t.Fatalf("audit %+v", v)
		}
		if m := live(t, c, link); m["open"] != true {
			t.Fatalf("live %v", m)
		}
		// The link opens nothing else.
		if p := c.Get("/console/alarms"); p.Status != http.StatusSeeOther {
			t.Fatalf("console through a link: %d", p.Status)
		}
		if p := c.Post(link+"/handle", url.Values{"remark": {"ter plaatse"}}); p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Body, "Vul uw naam in") {
			t.Fatalf("handle without a name: %d", p.Status)
		}
		if p := c.Post(link+"/handle", url.Values{"name": {"Jan in't Janssen"}, "remark": {"ter plaatse"}}); p.Status != http.StatusSeeOther {
			t.Fatalf("handle: %d %s", p.Status, p.Body)
		}
		got := e.Alarm(a.ID)
		if got.State != aw.AlarmHandled || got.HandledBy != "Jan in't Janssen (sms-link)" || got.Remark != "ter plaatse" {
			t.Fatalf("alarm %+v", got)
		}
		if h := e.Audit(aw.AuditAlarmHandled); len(h) != 1 {
			t.Fatalf("handled audit %+v", h)
		}
	})

	t.Run("ErrExpired", func(t *testing.T) {
		e := MustOpenConsoleEnv(t)
		a := e.RaiseAlarm()
		link := e.Link(a.ID)
		e.Clock.Advance(aw.InfoTokenTTL)
		c := e.NewClient()
		p := c.Get(link)
		if p.Status != http.StatusForbidden || strings.Contains(p.Body, "Laura") || !strings.Contains(p.Body, "onbekend of verlopen") {
			t.Fatalf("expired link: %d", p.Status)
		}
		if p := c.Get(link + "/live"); p.Status != http.StatusForbidden {
			t.Fatalf("expired live: %d", p.Status)
		}
		c.Get("/melding")
		if p := c.Post(link+"/handle", url.Values{"name": {"x"}}); p.Status != http.StatusForbidden {
			t.Fatalf("expired handle: %d", p.Status)
		}
		if e.Alarm(a.ID).HandledAt != nil {
			t.Fatal("handled through an expired link")
		}
		if r := e.Audit(aw.AuditAccessRefused); len(r) == 0 {
			t.Fatal("refusal not audited")
		}
	})

	t.Run("ErrUnknown", func(t *testing.T) {
		e := MustOpenConsoleEnv(t)
		a := e.RaiseAlarm()
		good := e.Link(a.ID)
		c := e.NewClient()
		for i := 0; i < aw.LinkMaxFailures; i++ {
			tok, _ := aw.NewToken("")
			if p := c.Get("/m/" + tok); p.Status != http.StatusForbidden {
				t.Fatalf("unknown link: %d", p.Status)
			}
		}
		if got := len(e.Audit(aw.AuditAccessRefused)); got != aw.LinkMaxFailures {
			t.Fatalf("%d refusals audited", got)
		}
		// Then this address waits, and the flood no longer reaches the log.
		if p := c.Get(good); p.Status != http.StatusTooManyRequests {
			t.Fatalf("after %d unknown links: %d", aw.LinkMaxFailures, p.Status)
		}
		if got := len(e.Audit(aw.AuditAccessRefused)); got != aw.LinkMaxFailures {
			t.Fatalf("%d refusals audited after the lock", got)
		}
		// An open page's poll is not locked out.
		if p := c.Get(good + "/live"); p.Status != http.StatusOK {
			t.Fatalf("poll: %d", p.Status)
		}
		e.Clock.Advance(aw.LinkLockout)
		if p := c.Get(good); p.Status != http.StatusOK {
			t.Fatalf("after the lockout: %d", p.Status)
		}
	})
}

func TestConsoleAccessCode(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		e := MustOpenConsoleEnv(t)
		a := e.RaiseAlarm()
		c := e.NewClient()
		c.Get("/melding")
		p := c.Post("/melding", url.Values{"number": {fmt.Sprint(a.Number)}, "code": {a.AccessCode}})
		if p.Status != http.StatusSeeOther || !strings.HasPrefix(p.Location, "/m/") {
			t.Fatalf("code: %d %q %s", p.Status, p.Location, p.Body)
		}
		if p := c.Get(p.Location); p.Status != http.StatusOK || !strings.Contains(p.Body, "Laura van Dijk") {
			t.Fatalf("page: %d", p.Status)
		}
		if v := e.Audit(aw.AuditAlarmViewed); len(v) != 2 || v[0].Actor != "toegangscode" {
			t.Fatalf("audit %+v", v)
		}
	})

	t.Run("ErrNumberAlone", func(t *testing.T) {
		e := MustOpenConsoleEnv(t)
		a := e.RaiseAlarm()
		c := e.NewClient()
		if p := c.Get(fmt.Sprintf("/melding?number=%d", a.Number)); p.Status != http.StatusOK || strings.Contains(p.Body, "Laura") {
			t.Fatalf("GET with a number: %d", p.Status)
		}
		p := c.Post("/melding", url.Values{"number": {fmt.Sprint(a.Number)}})
		if p.Status != http.StatusUnprocessableEntity || strings.Contains(p.Body, "Laura") || !strings.Contains(p.Body, `id="code-error"`) {
			t.Fatalf("number alone: %d", p.Status)
		}
		if p := c.Post("/melding", url.Values{"code": {a.AccessCode}}); p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Body, `id="number-error"`) {
			t.Fatalf("code alone: %d", p.Status)
		}
	})

	t.Run("ErrWrongCode", func(t *testing.T) {
		e := MustOpenConsoleEnv(t)
		a := e.RaiseAlarm()
		c := e.NewClient()
		c.Get("/melding")
		wrong := "0000"
		if a.AccessCode == wrong {
			wrong = "0001"
		}
		p := c.Post("/melding", url.Values{"number": {fmt.Sprint(a.Number)}, "code": {wrong}})
		if p.Status != http.StatusForbidden || strings.Contains(p.Body, "Laura") || p.Location != "" {
			t.Fatalf("wrong code: %d", p.Status)
		}
		// An unknown number answers the same.
		p2 := c.Post("/melding", url.Values{"number": {"99999"}, "code": {a.AccessCode}})
		if p2.Status != http.StatusForbidden {
			t.Fatalf("unknown number: %d", p2.Status)
		}
		if r := e.Audit(aw.AuditAccessRefused); len(r) != 2 {
			t.Fatalf("refusals audited: %d", len(r))
		}
	})

	t.Run("ErrThrottled", func(t *testing.T) {
		e := MustOpenConsoleEnv(t)
		a := e.RaiseAlarm()
		c := e.NewClient()
		c.Get("/melding")
		for i := 0; i < aw.CodeMaxFailures; i++ {
			c.Post("/melding", url.Values{"number": {fmt.Sprint(a.Number)}, "code": {fmt.Sprintf("x%d", i)}})
		}
		if p := c.Post("/melding", url.Values{"number": {fmt.Sprint(a.Number)}, "code": {a.AccessCode}}); p.Status != http.StatusTooManyRequests {
			t.Fatalf("right code after %d wrong ones: %d", aw.CodeMaxFailures, p.Status)
		}
		e.Clock.Advance(aw.CodeLockout)
		if p := c.Post("/melding", url.Values{"number": {fmt.Sprint(a.Number)}, "code": {a.AccessCode}}); p.Status != http.StatusSeeOther {
			t.Fatalf("after the lockout: %d", p.Status)
		}
	})

	t.Run("ValidUntil24hAfterHandled", func(t *testing.T) {
		e := MustOpenConsoleEnv(t)
		a := e.RaiseAlarm()
		if _, err := e.Svc.HandleAlarm(t.Context(), a.ID, "beheer", "klaar"); err != nil {
			t.Fatal(err)
		}
		c := e.NewClient()
		c.Get("/melding")
		e.Clock.Advance(23 * time.Hour)
		p := c.Post("/melding", url.Values{"number": {fmt.Sprint(a.Number)}, "code": {a.AccessCode}})
		if p.Status != http.StatusSeeOther {
			t.Fatalf("23 h after handled: %d", p.Status)
		}
		link := p.Location
		e.Clock.Advance(time.Hour)
		if p := c.Post("/melding", url.Values{"number": {fmt.Sprint(a.Number)}, "code": {a.AccessCode}}); p.Status != http.StatusForbidden {
			t.Fatalf("24 h after handled: %d", p.Status)
		}
		// The link it gave ends with the code.
		if p := c.Get(link); p.Status != http.StatusForbidden {
			t.Fatalf("link from the code 24 h after handled: %d", p.Status)
		}
	})

	t.Run("LoggedInNumberOnly", func(t *testing.T) {
		e := MustOpenConsoleEnv(t)
		a := e.RaiseAlarm()
		c := e.NewClient()
		c.Login(responderName)
		if p := c.Get(fmt.Sprintf("/console/alarms/%d", a.Number)); p.Status != http.StatusOK || !strings.Contains(p.Body, "Laura") {
			t.Fatalf("logged in: %d", p.Status)
		}
	})
}

// Guesses for a report number that is not an open alarm count only
// against the sender's address range: they cannot lock the code path of an
// alarm raised later. Before, 20 wrong codes for the next number locked
// it, and its real responder got 429 "over 60 minuten".
func TestCodeNoLockInAdvance(t *testing.T) {
	e := MustOpenConsoleEnv(t)
	a := e.RaiseAlarm()
	next := a.Number + 1
	for i := range 25 {
		c := e.NewClientFrom(fmt.Sprintf("127.0.%d.%d", 10+i/5, 2+i%5))
		c.Get("/melding")
		c.Post("/melding", url.Values{"number": {fmt.Sprint(next)}, "code": {"0000"}})
	}
	b, err := e.Svc.RaiseTestAlarm(t.Context(), aw.CLIActor("test"), []string{"0612000001"})
	if err != nil || b.Number != next {
		t.Fatalf("second alarm: %v %+v", err, b)
	}
	c := e.NewClientFrom("127.0.200.5")
	c.Get("/melding")
	if p := c.Post("/melding", url.Values{"number": {fmt.Sprint(next)}, "code": {b.AccessCode}}); p.Status != http.StatusSeeOther {
		t.Fatalf("the real responder with the right code: %d, want 303", p.Status)
	}
	// The guessers' ranges are locked; one address of theirs with the
	// right code for the first alarm too.
	g := e.NewClientFrom("127.0.10.9")
	g.Get("/melding")
	if p := g.Post("/melding", url.Values{"number": {fmt.Sprint(a.Number)}, "code": {a.AccessCode}}); p.Status != http.StatusTooManyRequests {
		t.Fatalf("a locked range: %d, want 429", p.Status)
	}
}
