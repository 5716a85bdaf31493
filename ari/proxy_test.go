package ari_test

import (
	"context"
	"testing"
	"time"

	aw "alleenwerken"

	proxyserver "github.com/CyCoreSystems/ari-proxy/v5/server"
	"github.com/CyCoreSystems/ari/v5/client/native"
	natsserver "github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
)

// The same call through ari-proxy: an embedded NATS server, the proxy's
// server package in-process against the test bed's Asterisk, and the adapter
// configured with a NATS URL.
func TestProxyCall(t *testing.T) {
	needBed(t)
	cfg := testConfig("proxy")
	cfg.NATSURL = startProxy(t, cfg.App)

	tel := MustOpen(t, cfg)
	if h := tel.Health(); h.State != aw.HealthOK {
		t.Fatalf("health through the proxy: %+v", h)
	}
	r := newRecorder(aw.AcceptPlan{OfferSMS: true, ReportNumber: 897, AccessCode: "4217"})
	res, err := tel.Call(context.Background(), request(numSMSNo), r)
	if err != nil {
		t.Fatal(err)
	}
	log, _, digits, choice := r.snapshot()
	t.Logf("%+v %q", res, log)
	if res.Outcome != aw.OutcomeAccepted || digits != "12" || choice != "no" {
		t.Fatalf("outcome %q digits %q choice %q", res.Outcome, digits, choice)
	}
	checkReport(t, r, res)
	res, err = tel.Call(context.Background(), request(numBusy), newRecorder(aw.AcceptPlan{}))
	if err != nil || res.Outcome != aw.OutcomeBusy || res.Cause != 17 {
		t.Fatalf("busy through the proxy: %+v %v", res, err)
	}
}

// startProxy starts an embedded NATS server and the ari-proxy server package
// in-process against the test bed's Asterisk for the Stasis app, and returns
// the NATS URL for the adapter.
func startProxy(t *testing.T, app string) string {
	t.Helper()
	ns, err := natsserver.NewServer(&natsserver.Options{Host: "127.0.0.1", Port: -1, NoLog: true, NoSigs: true})
	if err != nil {
		t.Fatal(err)
	}
	go ns.Start()
	t.Cleanup(ns.Shutdown)
	if !ns.ReadyForConnections(5 * time.Second) {
		t.Fatal("NATS not ready")
	}

	// The proxy server: a native client for the test bed's Asterisk. Its
	// context is never cancelled: ari-proxy panics when its shutdown takes
	// over 500 ms; it ends with the test binary.
	cl, err := native.Connect(&native.Options{
		Application: app, URL: ariURL, WebsocketURL: "ws://127.0.0.1:8088/ari/events",
		Username: ariUser, Password: ariPassword,
	})
	if err != nil {
		t.Fatal(err)
	}
	nc, err := nats.Connect(ns.ClientURL())
	if err != nil {
		t.Fatal(err)
	}
	enc, err := nats.NewEncodedConn(nc, nats.JSON_ENCODER) //nolint:staticcheck // ari-proxy v5 needs an EncodedConn
	if err != nil {
		t.Fatal(err)
	}
	srv := proxyserver.New()
	go func() {
		if err := srv.ListenOn(context.Background(), cl, enc); err != nil {
			t.Logf("proxy server: %v", err)
		}
	}()
	select {
	case <-srv.Ready():
	case <-time.After(5 * time.Second):
		t.Fatal("proxy server not ready")
	}

	return ns.ClientURL()
}
