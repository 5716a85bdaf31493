package ari_test

import (
	"context"
	"testing"

	aw "alleenwerken"
	"alleenwerken/cmd/testkit/testbed"
)

// The same call through ari-proxy: an embedded NATS server, the proxy's
// server package in-process against the test bed's Asterisk, and the adapter
// configured with a NATS URL.
func TestProxyCall(t *testing.T) {
	testbed.Need(t)
	cfg := testbed.Config("proxy")
	cfg.NATSURL = testbed.StartProxy(t, cfg.App)

	tel := testbed.MustOpen(t, cfg)
	if h := tel.Health(); h.State != aw.HealthOK {
		t.Fatalf("health through the proxy: %+v", h)
	}
	r := newRecorder(aw.AcceptPlan{OfferSMS: true, ReportNumber: 897, AccessCode: "4217"})
	res, err := tel.Call(context.Background(), testbed.Request(testbed.NumSMSNo), r)
	if err != nil {
		t.Fatal(err)
	}
	log, _, digits, choice := r.snapshot()
	t.Logf("%+v %q", res, log)
	if res.Outcome != aw.OutcomeAccepted || digits != "12" || choice != "no" {
		t.Fatalf("outcome %q digits %q choice %q", res.Outcome, digits, choice)
	}
	checkReport(t, r, res)
	res, err = tel.Call(context.Background(), testbed.Request(testbed.NumBusy), newRecorder(aw.AcceptPlan{}))
	if err != nil || res.Outcome != aw.OutcomeBusy || res.Cause != 17 {
		t.Fatalf("busy through the proxy: %+v %v", res, err)
	}
}
