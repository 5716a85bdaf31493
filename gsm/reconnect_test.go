package gsm_test

import (
	"testing"
	"time"

	aw "alleenwerken"
	"alleenwerken/gsm/modemsim"
)

// The modem is pulled out between sends: the daemon keeps running, health
// goes down, the port is reopened by its path and sending works again.
func TestUnplug(t *testing.T) {
	sim := newSim(t, modemsim.Options{})
	m := startModem(t, fastConfig(sim.Path()))
	waitHealth(t, m, aw.HealthOK)
	if _, err := send(t, m, "s1", "+31617782201", "voor"); err != nil {
		t.Fatal(err)
	}
	setups := count(sim.Commands(), "+CMGF=0")
	if err := sim.Unplug(); err != nil {
		t.Fatal(err)
	}
	waitHealth(t, m, aw.HealthDown, "opnieuw verbinden")
	if _, err := send(t, m, "s2", "+31617782201", "tijdens"); err != nil && !isRetry(err) {
		t.Fatalf("send while unplugged: %v, want retry or success", err)
	}
	start := time.Now()
	waitHealth(t, m, aw.HealthOK)
	t.Logf("back after %v", time.Since(start))
	if count(sim.Commands(), "+CMGF=0") <= setups {
		t.Fatal("the modem was not set up again")
	}
	if _, err := send(t, m, "s3", "+31617782201", "na"); err != nil {
		t.Fatalf("send after reconnect: %v", err)
	}
	msgs := decodeAll(t, sim.Sent())
	if got := msgs[len(msgs)-1].Text; got != "na" {
		t.Fatalf("last text = %q", got)
	}
}

// The modem is pulled out while a part is being submitted: the outcome is
// unknown (the PDU may have gone out), never a silent success.
func TestUnplugDuringSend(t *testing.T) {
	sim := newSim(t, modemsim.Options{})
	m := startModem(t, fastConfig(sim.Path()))
	waitHealth(t, m, aw.HealthOK)
	sim.FailNextSends("hang")
	go func() {
		for len(sim.Submits()) == 0 {
			time.Sleep(2 * time.Millisecond)
		}
		sim.Unplug()
	}()
	_, err := send(t, m, "s1", "+31617782201", "x")
	if err == nil || isRetry(err) {
		t.Fatalf("err = %v, want unknown", err)
	}
	waitHealth(t, m, aw.HealthOK)
	if _, err := send(t, m, "s2", "+31617782201", "y"); err != nil {
		t.Fatal(err)
	}
}

// A modem that hangs (connected but silent) is reopened; health says so.
func TestHungModem(t *testing.T) {
	sim := newSim(t, modemsim.Options{})
	cfg := fastConfig(sim.Path())
	cfg.CommandTimeout = 50 * time.Millisecond
	m := startModem(t, cfg)
	waitHealth(t, m, aw.HealthOK)
	sim.Configure(func(o *modemsim.Options) { o.Mute = true })
	waitHealth(t, m, aw.HealthDown, "antwoordt niet")
	sim.Configure(func(o *modemsim.Options) { o.Mute = false })
	waitHealth(t, m, aw.HealthOK)
	if _, err := send(t, m, "s", "+31617782201", "weer wakker"); err != nil {
		t.Fatal(err)
	}
}

// A port that does not exist: the modem is down, says where it looked, and
// keeps trying.
func TestMissingPort(t *testing.T) {
	m := startModem(t, fastConfig("/dev/serial/by-id/usb-nope-if02-port0"))
	waitHealth(t, m, aw.HealthDown, "niet bereikbaar op /dev/serial/by-id/usb-nope-if02-port0", "opnieuw verbinden")
	_, err := send(t, m, "s", "+31617782201", "x")
	if !isRetry(err) {
		t.Fatalf("err = %v, want retry", err)
	}
}
