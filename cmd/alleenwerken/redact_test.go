package main_test

import (
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"alleenwerken/cmd/testkit"
)

// The real daemon with a NATS address that holds a password: the
// unauthenticated /healthz and the log show the address without it. Before,
// /healthz's telephony reason and the log showed "nats://aw:<password>@…".
func TestNoPasswordShown(t *testing.T) {
	sim := testkit.NewModemSim(t)
	const secret = "s3cret-nats-pw"
	d := startReal(t, sim.Path(), "nats.url = nats://aw:"+secret+"@"+testkit.FreeAddr(t)+"\n")
	d.WaitLog(15*time.Second, 1, "connecting to Asterisk failed")
	var body string
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(body, `"telephony":{"state":"down"`) && time.Now().Before(deadline) {
		resp, err := http.Get(d.Base + "/healthz")
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
	log := d.Stderr.String()
	if strings.Contains(log, secret) {
		t.Fatalf("the log shows the password:\n%s", log)
	}
	if !strings.Contains(log, "nats://127.0.0.1") {
		t.Fatalf("the log does not name the address at all:\n%s", log)
	}
}
