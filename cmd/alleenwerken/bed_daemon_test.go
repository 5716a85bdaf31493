package main_test

import (
	"io"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"alleenwerken/cmd/testkit"
	"alleenwerken/cmd/testkit/testbed"
	"alleenwerken/gsm/modemsim"
)

// bedDaemon is the real daemon binary running against the test bed's
// Asterisk and a simulated modem on a real pseudo-terminal: for the tests
// where the process must die (SIGKILL, SIGTERM, a restart).
type bedDaemon struct {
	*testkit.Daemon
	t   *testing.T
	sim *modemsim.Sim
}

// startBedDaemon starts the daemon binary with the test bed's ARI under
// Stasis application app and a modem on a pty; extra config lines are
// appended. It waits until /healthz shows telephony up and is killed at
// cleanup.
func startBedDaemon(t *testing.T, app, extra string) *bedDaemon {
	t.Helper()
	sim := testkit.NewModemSim(t)
	d := &bedDaemon{t: t, sim: sim, Daemon: testkit.StartDaemon(t, binary,
		"ari.url = "+testbed.URL+"\nari.user = "+testbed.User+"\nari.password = "+testbed.Password+
			"\nari.app = "+app+"\nmodem.port = "+sim.Path()+"\n"+extra)}
	testkit.EventuallyWithin(t, 20*time.Second, "telephony up", d.telephonyUp)
	return d
}

// telephonyUp reports whether /healthz shows telephony ok or degraded.
func (d *bedDaemon) telephonyUp() bool { return d.Healthz("telephony", "ok", "degraded") }

// smsSent returns how many SMS (parts) the pty modem was asked to send.
func (d *bedDaemon) smsSent() int {
	n := 0
	for _, c := range d.sim.Commands() {
		if strings.HasPrefix(strings.ToUpper(c), "AT+CMGS") {
			n++
		}
	}
	return n
}

// noSMS checks for a while that the modem gets no SMS and the alarm has
// none queued.
func (d *bedDaemon) noSMS(what string) {
	d.t.Helper()
	time.Sleep(3 * time.Second) // more than the dispatcher's poll
	if n := d.smsSent(); n != 0 {
		d.t.Fatalf("%s: the modem was asked to send %d SMS parts, want none\n%s", what, n, d.Stderr.String())
	}
	if ls := d.LogLines("SMS queued"); len(ls) != 0 {
		d.t.Fatalf("%s: SMS queued: %s", what, ls[0].Text)
	}
	if ls := d.LogLines("call not placed"); len(ls) != 0 {
		d.t.Fatalf("%s: %s", what, ls[0].Text)
	}
}

// useARI points the daemon's config file at another ARI URL (for its next
// start).
func (d *bedDaemon) useARI(url string) {
	d.t.Helper()
	d.EditConfig("ari.url = "+testbed.URL+"\n", "ari.url = "+url+"\n")
}

// slowARI forwards TCP to the test bed's ARI; until a set time it holds
// new connections back, as an Asterisk that is still starting does (after
// a power cut both start together, and Asterisk is the slower one).
type slowARI struct {
	ln    net.Listener
	mu    sync.Mutex
	until time.Time
}

func newSlowARI(t *testing.T) *slowARI {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	p := &slowARI{ln: ln}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go p.forward(c)
		}
	}()
	return p
}

// holdFor holds new connections back for d from now.
func (p *slowARI) holdFor(d time.Duration) {
	p.mu.Lock()
	p.until = time.Now().Add(d)
	p.mu.Unlock()
}

func (p *slowARI) forward(c net.Conn) {
	defer c.Close()
	p.mu.Lock()
	wait := time.Until(p.until)
	p.mu.Unlock()
	time.Sleep(wait)
	up, err := net.Dial("tcp", "127.0.0.1:8088")
	if err != nil {
		return
	}
	defer up.Close()
	go io.Copy(up, c)
	io.Copy(c, up)
}

// url is the proxy's ARI URL.
func (p *slowARI) url() string { return "http://" + p.ln.Addr().String() + "/ari" }
