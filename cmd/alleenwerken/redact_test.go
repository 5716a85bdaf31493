package main_test

import (
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// The real daemon with a NATS address that holds a password: the
// unauthenticated /healthz and the log show the address without it. Before,
// /healthz's telephony reason and the log showed "nats://aw:<password>@…".
func TestNoPasswordShown(t *testing.T) {
	sim := newSim(t)
	const secret = "s3cret-nats-pw"
	d, _ := startReal(t, sim.Path(), "nats.url = nats://aw:"+secret+"@"+freeAddr(t)+"\n")
	d.waitLog(t, "connecting to Asterisk failed", 15*time.Second)
	var body string
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(body, `"telephony":{"reason"`) && time.Now().Before(deadline) {
		resp, err := http.Get(d.url + "/healthz")
		if err == nil {
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			body = string(b)
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Logf("/healthz: %s", body)
	if !strings.Contains(body, `"telephony"`) || strings.Contains(body, secret) || strings.Contains(body, "nats://") {
		t.Fatalf("/healthz shows the address or its password: %s", body)
	}
	time.Sleep(time.Second) // a few more reconnects in the log
	log := d.stderr.String()
	if strings.Contains(log, secret) {
		t.Fatalf("the log shows the password:\n%s", log)
	}
	if !strings.Contains(log, "nats://127.0.0.1") {
		t.Fatalf("the log does not name the address at all:\n%s", log)
	}
}
