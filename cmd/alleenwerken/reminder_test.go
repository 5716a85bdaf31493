package main_test

import (
	"strings"
	"testing"
	"time"

	"github.com/warthog618/sms"
	"github.com/warthog618/sms/encoding/tpdu"

	"alleenwerken/cmd/testkit"
)

// TestReminderThroughModem runs the real daemon (not the demo) against a
// simulated modem on a real pseudo-terminal: a session started through the
// API gets its reminder SMS at expiry minus the reminder lead, with the expiry
// in local time (Europe/Amsterdam) in the text.
func TestReminderThroughModem(t *testing.T) {
	sim := testkit.NewModemSim(t)
	d := startReal(t, sim.Path(), "settings.reminder_lead = 55s\nsettings.time_zone = Europe/Amsterdam\n")
	d.WaitHealthy("sms", 15*time.Second)

	// A 1-minute session with a 55 s lead: the reminder is due after 5 s.
	v := d.API(d.Admin("", "token", "create", "-name", "t"), "POST", "/api/v1/sessions",
		`{"worker":{"name":"Laura","phone":"06-17782201"},"alarm_numbers":["0650262703","0650929952"],"duration_minutes":1}`)
	expires, _ := time.Parse(time.RFC3339, v["expires_at"].(string))
	reminderAt, _ := time.Parse(time.RFC3339, v["reminder_at"].(string))
	if got := expires.Sub(reminderAt); got != 55*time.Second {
		t.Fatalf("reminder_at %s is %s before expiry", reminderAt, got)
	}
	deadline := time.Now().Add(20 * time.Second)
	for len(sim.Sent()) == 0 {
		if time.Now().After(deadline) {
			t.Fatalf("no reminder through the modem\n%s", d.Stderr)
		}
		time.Sleep(50 * time.Millisecond)
	}
	sub := sim.Sent()[0]
	late := sub.At.Sub(reminderAt)
	t.Logf("reminder reached the modem %s after reminder_at", late.Round(time.Millisecond))
	if late < -time.Second || late > 5*time.Second {
		t.Fatalf("reminder at %s, due %s", sub.At, reminderAt)
	}
	b, err := sms.Decode([]*tpdu.TPDU{sub.TPDU})
	if err != nil {
		t.Fatal(err)
	}
	ams, _ := time.LoadLocation("Europe/Amsterdam")
	want := "Alleen Werken: je timer loopt om " + expires.In(ams).Format("15:04") + " af."
	if sub.TPDU.DA.Number() != "+31617782201" || !strings.HasPrefix(string(b), want) {
		t.Fatalf("to %s text %q, want prefix %q", sub.TPDU.DA.Number(), b, want)
	}
	d.Stop()
}
