package main

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	aw "alleenwerken"
	"alleenwerken/cmd/testkit"
	"alleenwerken/gsm/modemsim"
	"alleenwerken/httpapi/browsertest"

	"github.com/warthog618/sms"
	"github.com/warthog618/sms/encoding/tpdu"
)

// reminderPrefix starts the SMS of an accepted alarm nobody handles.
const reminderPrefix = "Alleen Werken #101: aangenomen om "

// An accepted alarm nobody handles, through the whole daemon in this
// process: the demo's telephony (+31612345673 accepts), a modem simulator
// on a real pseudo-terminal behind the real serial stack, the console in
// headless Chromium. The reminder reaches the modem for the acceptor and the
// admin, each with their own link, after the (shortened) setting and again;
// the console's list shows the alarm as accepted and not handled; the same
// device starts a new session.
func TestAcceptedAlarmNotHandled(t *testing.T) {
	sim := testkit.NewModemSim(t)
	const every = 4 * time.Second
	m, _ := openMain(t, "modem.port = "+sim.Path(), "settings.cancel_window = 1s", "settings.ring_timeout = 1s",
		"settings.unhandled_reminder = 4s", "settings.admin_numbers = 0612345678")
	ctx := context.Background()
	testkit.EventuallyWithin(t, 15*time.Second, "the modem ready", func() bool { return m.Dispatcher.Health().State == aw.HealthOK })
	_, tok, err := m.Devices.CreateDevice(ctx, aw.CLIActor("test"), "telefoon test")
	if err != nil {
		t.Fatal(err)
	}
	post := func(path, body string) (int, map[string]any) {
		t.Helper()
		return apiPost(t, m, tok, path, body)
	}
	start := `{"worker":{"name":"Laura van Dijk","phone":"0617782201"},"alarm_numbers":["0612345671","0612345673"],"duration_minutes":60}`
	st, s := post("/api/v1/sessions", start)
	if st != http.StatusCreated {
		t.Fatalf("start: %d %v", st, s)
	}
	id, _ := s["id"].(string)
	post("/api/v1/sessions/"+id+"/alarm", "")
	var a *aw.Alarm
	testkit.EventuallyWithin(t, 20*time.Second, "accepted by +31612345673", func() bool {
		sess, err := m.DB.Session(ctx, id)
		if err == nil && sess.AlarmID != "" {
			a, err = m.DB.Alarm(ctx, sess.AlarmID)
		}
		return err == nil && a != nil && a.State == aw.AlarmAccepted
	})
	accepted := *a.AcceptedAt

	// Two rounds of reminders at the modem, each to the acceptor and the
	// admin with a link of their own.
	var rounds [][]reminderSMS
	testkit.EventuallyWithin(t, 30*time.Second, "two rounds of reminders at the modem", func() bool {
		rounds = reminderRounds(t, sim.Sent())
		return len(rounds) >= 2 && len(rounds[1]) == 2
	})
	links := map[string]bool{}
	for i, r := range rounds[:2] {
		if len(r) != 2 || r[0].to == r[1].to {
			t.Fatalf("round %d: %+v", i+1, r)
		}
		for _, x := range r {
			if x.to != "+31612345673" && x.to != "+31612345678" {
				t.Fatalf("reminder to %s", x.to)
			}
			if !strings.Contains(x.text, "door +31612345673, nog niet afgehandeld. Is de medewerker geholpen? Sluit de melding af: http") {
				t.Fatalf("text %q", x.text)
			}
			link := x.text[strings.LastIndex(x.text, " ")+1:]
			if links[link] {
				t.Fatalf("link %s sent twice", link)
			}
			links[link] = true
		}
	}
	first, second := rounds[0][0].at.Sub(accepted), rounds[1][0].at.Sub(rounds[0][0].at)
	t.Logf("accepted at %s; first reminder at the modem %s later, the second %s after the first (setting %s)",
		accepted.Format("15:04:05.000"), first.Round(time.Millisecond), second.Round(time.Millisecond), every)
	if first < every || first > every+3*time.Second || second < every-time.Second || second > every+3*time.Second {
		t.Fatalf("first %s after acceptance, second %s after the first; want about %s", first, second, every)
	}

	// The console lists it as accepted and not handled, with its age.
	if _, err := m.Users.CreateUser(ctx, aw.CLIActor("test"), "beheer", aw.RoleSuperAdmin, "een lang wachtwoord 123"); err != nil {
		t.Fatal(err)
	}
	b := browsertest.New(t, "http://"+m.HTTP.Addr())
	tab := b.NewTab()
	tab.Login("beheer", "een lang wachtwoord 123")
	tab.Open("/console")
	row := tab.Text("#alarms tbody tr")
	t.Logf("console, Lopende meldingen: %q", row)
	for _, want := range []string{"#101", "Aangenomen", "niet afgehandeld"} {
		if !strings.Contains(row, want) {
			t.Fatalf("open list row %q lacks %q", row, want)
		}
	}

	// The same device starts a new session; the old alarm stays open.
	if st, v := post("/api/v1/sessions", start); st != http.StatusCreated || v["id"] == id {
		t.Fatalf("new start after acceptance: %d %v", st, v)
	}
	if got, _ := m.DB.Alarm(ctx, a.ID); got.State != aw.AlarmAccepted {
		t.Fatalf("old alarm %s", got.State)
	}
}

// reminderSMS is one reminder as the modem received it.
type reminderSMS struct {
	to, text string
	at       time.Time
}

// reminderRounds decodes the reminders among the PDUs the modem sent
// (concatenated parts joined) and groups them in rounds of one per
// recipient.
func reminderRounds(t *testing.T, subs []modemsim.Submit) [][]reminderSMS {
	t.Helper()
	type key struct {
		to  string
		ref int
	}
	parts := map[key][]*tpdu.TPDU{}
	var order []key
	at := map[key]time.Time{}
	for _, s := range subs {
		k := key{to: s.TPDU.DA.Number(), ref: -1 - len(order)}
		if n, _, ref, ok := s.TPDU.ConcatInfo(); ok && n > 1 {
			k.ref = ref
		}
		if _, ok := parts[k]; !ok {
			order = append(order, k)
		}
		parts[k] = append(parts[k], s.TPDU)
		at[k] = s.At
	}
	var rounds [][]reminderSMS
	seen := map[string]int{}
	for _, k := range order {
		b, err := sms.Decode(parts[k])
		if err != nil || !strings.HasPrefix(string(b), reminderPrefix) {
			continue // the responder SMS, or parts still coming
		}
		n := seen[k.to]
		seen[k.to]++
		if n == len(rounds) {
			rounds = append(rounds, nil)
		}
		rounds[n] = append(rounds[n], reminderSMS{to: k.to, text: string(b), at: at[k]})
	}
	return rounds
}
