package main_test

import (
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/warthog618/sms"
	"github.com/warthog618/sms/encoding/tpdu"

	"alleenwerken/cmd/testkit"
	"alleenwerken/httpapi/browsertest"
)

// TestAlarmSMSDeliveryOnInfoPage runs the real daemon with Asterisk absent
// and a modem simulator on a real pseudo-terminal: an alarm that cannot be
// called goes out as SMS to the alarm numbers; the network's status reports
// (one delivered, one failed) show on the alarm's information page, opened
// through the link in the SMS in headless Chromium.
func TestAlarmSMSDeliveryOnInfoPage(t *testing.T) {
	sim := testkit.NewModemSim(t)
	d := startReal(t, sim.Path(), "settings.cancel_window = 1s\n")
	d.WaitHealthy("sms", 15*time.Second)
	tok := d.Admin("", "token", "create", "-name", "t")
	v := d.API(tok, "POST", "/api/v1/sessions",
		`{"worker":{"name":"Laura","phone":"06-17782201"},"alarm_numbers":["0650262703","0650929952"],"duration_minutes":60}`)
	d.API(tok, "POST", "/api/v1/sessions/"+v["id"].(string)+"/alarm", "")

	// The calls cannot be placed: the alarm SMS goes to both numbers, in
	// two parts each (the link makes it long).
	parts := map[string][]*tpdu.TPDU{}
	mrs := map[string][]int{}
	deadline := time.Now().Add(20 * time.Second)
	for len(parts["+31650262703"]) < 2 || len(parts["+31650929952"]) < 2 {
		if time.Now().After(deadline) {
			t.Fatalf("alarm SMS at the modem: %d parts\n%s", len(sim.Sent()), d.Stderr)
		}
		time.Sleep(50 * time.Millisecond)
		parts, mrs = map[string][]*tpdu.TPDU{}, map[string][]int{}
		for _, sub := range sim.Sent() {
			to := sub.TPDU.DA.Number()
			parts[to], mrs[to] = append(parts[to], sub.TPDU), append(mrs[to], sub.MR)
		}
	}
	b, err := sms.Decode(parts["+31650262703"])
	if err != nil {
		t.Fatal(err)
	}
	text := string(b)
	i := strings.Index(text, "/m/")
	if i < 0 {
		t.Fatalf("alarm SMS without a link: %q", text)
	}
	link := strings.Fields(text[i:])[0]
	t.Logf("alarm SMS %q", text)

	page := func() string {
		resp, err := http.Get(d.Base + link)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return string(b)
	}
	if p := page(); !strings.Contains(p, "SMS bij deze melding") || !strings.Contains(p, "verzonden, nog geen ontvangstbevestiging") {
		t.Fatalf("page before the reports:\n%s", p)
	}
	// Every part of the first reached the phone; the network gave up on the
	// second part of the other.
	for _, r := range []struct {
		to string
		st []byte
	}{{"+31650262703", []byte{0x00, 0x00}}, {"+31650929952", []byte{0x00, 0x41}}} {
		for i, mr := range mrs[r.to] {
			if err := sim.StatusReport(mr, r.to, r.st[i]); err != nil {
				t.Fatal(err)
			}
		}
	}
	tab := browsertest.New(t, d.Base).NewTab()
	deadline = time.Now().Add(10 * time.Second)
	for {
		tab.Open(link)
		got := tab.Text("#sms")
		if strings.Contains(got, "+31650262703 alarm-SMS afgeleverd") && strings.Contains(got, "+31650929952 alarm-SMS niet afgeleverd") {
			t.Logf("information page: %q", got)
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("delivery not on the page: %q\n%s", got, d.Stderr)
		}
		time.Sleep(200 * time.Millisecond)
	}
	tab.Screenshot("info-sms-delivery.png", 412, 900, true)
	d.Stop()
}
