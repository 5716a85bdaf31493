package gsm_test

import (
	"testing"
	"time"

	aw "alleenwerken"
	"alleenwerken/cmd/testkit"
	"alleenwerken/gsm"
	"alleenwerken/gsm/modemsim"
)

func TestDeliveryReport(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		sim, m, got := reportingModem(t, modemsim.Options{})
		waitHealth(t, m, aw.HealthOK)
		// Same recipient twice, another recipient: the report names MR and
		// recipient and must land on the right message.
		r1, _ := send(t, m, "a", "+31617782201", "een")
		r2, _ := send(t, m, "b", "+31612345678", "twee")
		r3, _ := send(t, m, "c", "+31617782201", "drie")
		if len(r1.Refs)+len(r2.Refs)+len(r3.Refs) != 3 {
			t.Fatal("sends failed")
		}
		if err := sim.StatusReport(r2.Refs[0], "+31612345678", 0x00); err != nil {
			t.Fatal(err)
		}
		if err := sim.StatusReport(r3.Refs[0], "+31617782201", 0x41); err != nil {
			t.Fatal(err)
		}
		testkit.EventuallyWithin(t, 2*time.Second, "two reports", func() bool { return len(got.all()) == 2 })
		byID := map[string]gsm.DeliveryReport{}
		for _, r := range got.all() { // handlers run concurrently: any order
			byID[r.SMSID] = r
		}
		if r := byID["b"]; r.Delivery != gsm.DeliveryDelivered || r.MR != r2.Refs[0] || r.To != "31612345678" {
			t.Fatalf("report for b = %+v", r)
		}
		if r := byID["c"]; r.Delivery != gsm.DeliveryFailed || r.Status != 0x41 {
			t.Fatalf("report for c = %+v", r)
		}
		if n := count(sim.Commands(), "+CNMA"); n != 2 {
			t.Fatalf("%d +CNMA, want 2", n)
		}
	})
	t.Run("Concatenated", func(t *testing.T) {
		concatenatedReports(t, modemsim.Options{AutoReport: true})
	})
	t.Run("Unmatched", func(t *testing.T) {
		sim, m, got := reportingModem(t, modemsim.Options{})
		waitHealth(t, m, aw.HealthOK)
		r, _ := send(t, m, "a", "+31617782201", "een")
		sim.StatusReport(r.Refs[0], "+31600000000", 0) // other recipient
		sim.StatusReport(r.Refs[0]+1, "+31617782201", 0)
		time.Sleep(100 * time.Millisecond)
		if len(got.all()) != 0 {
			t.Fatalf("matched %+v", got.all())
		}
		if _, err := send(t, m, "b", "+31617782201", "twee"); err != nil {
			t.Fatal(err)
		}
	})
}

// concatenatedReports sends a two-part message on a modem with opts that
// reports each part as it goes (the first pending, then delivered) and
// checks the two reports; it returns the simulator.
func concatenatedReports(t *testing.T, opts modemsim.Options) *modemsim.Sim {
	t.Helper()
	sim, m, got := reportingModem(t, opts)
	waitHealth(t, m, aw.HealthOK)
	text := "Een lange melding in twee delen, met ë en é erin zodat het UCS-2 wordt en dus al na zeventig tekens wordt opgesplitst."
	rcpt, err := send(t, m, "long", "+31617782201", text)
	if err != nil || len(rcpt.Refs) != 2 {
		t.Fatalf("send: %v %v", rcpt, err)
	}
	testkit.EventuallyWithin(t, 2*time.Second, "two reports", func() bool { return len(got.all()) == 2 })
	rs := got.all()
	if rs[0].Delivery != gsm.DeliveryPending || rs[1].Delivery != gsm.DeliveryDelivered || rs[1].SMSID != "long" || rs[0].Part == rs[1].Part {
		t.Fatalf("reports = %+v", rs)
	}
	return sim
}
