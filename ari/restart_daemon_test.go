package ari_test

import (
	"context"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	aw "alleenwerken"
	"alleenwerken/cmd/testkit"
)

// The daemon's own log is the clock of these tests: the figures are the
// time between two of its lines, not the test's wall clock.

// logLine is one line of the daemon's log with its time.
type logLine struct {
	at   time.Time
	text string
}

// logLines returns the daemon's log lines that contain every one of parts.
func (d *bedDaemon) logLines(parts ...string) []logLine {
	var out []logLine
next:
	for _, l := range strings.Split(d.stderr.String(), "\n") {
		for _, p := range parts {
			if !strings.Contains(l, p) {
				continue next
			}
		}
		f := strings.Fields(l)
		if len(f) == 0 || !strings.HasPrefix(f[0], "time=") {
			continue
		}
		at, err := time.Parse("2006-01-02T15:04:05.000Z07:00", strings.TrimPrefix(f[0], "time="))
		if err != nil {
			d.t.Fatalf("log time in %q: %v", l, err)
		}
		out = append(out, logLine{at, l})
	}
	return out
}

// waitLog waits up to timeout for the n-th log line (1-based) with every
// one of parts and returns it.
func (d *bedDaemon) waitLog(timeout time.Duration, n int, parts ...string) logLine {
	d.t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		if ls := d.logLines(parts...); len(ls) >= n {
			return ls[n-1]
		}
		if time.Now().After(deadline) {
			d.t.Fatalf("no log line %d with %q within %s\n%s", n, parts, timeout, d.stderr.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

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
		d.t.Fatalf("%s: the modem was asked to send %d SMS parts, want none\n%s", what, n, d.stderr.String())
	}
	if ls := d.logLines("SMS queued"); len(ls) != 0 {
		d.t.Fatalf("%s: SMS queued: %s", what, ls[0].text)
	}
	if ls := d.logLines("call not placed"); len(ls) != 0 {
		d.t.Fatalf("%s: %s", what, ls[0].text)
	}
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

// useARI points the daemon's config file at another ARI URL (for its next
// start).
func (d *bedDaemon) useARI(url string) {
	d.t.Helper()
	b, err := os.ReadFile(d.conf)
	if err != nil {
		d.t.Fatal(err)
	}
	conf := strings.Replace(string(b), "ari.url = "+ariURL+"\n", "ari.url = "+url+"\n", 1)
	if err := os.WriteFile(d.conf, []byte(conf), 0o600); err != nil {
		d.t.Fatal(err)
	}
}

const restartSettings = "settings.cancel_window = 1s\nsettings.ring_timeout = 20s\n" +
	"settings.fallback_number = 0612345105\nsettings.admin_numbers = 0612345199\n"

// The real daemon is killed with SIGKILL while an alarm call rings and is
// started again, as systemd does, with ARI answering only 1 s after the
// start (a loaded machine): the ladder goes on with the next number as soon
// as Asterisk is connected, within 2 s of the restart, and nobody gets a
// "the phone system cannot call" SMS, because it can.
func TestDaemonKilledWhileRinging(t *testing.T) {
	needBed(t)
	d := startBedDaemon(t, "awtest-kill", restartSettings)
	d.raiseAlarm(numNoAnswer, numSMSNo)
	d.waitLog(15*time.Second, 1, `msg="call placed"`, "number="+numNoAnswer)
	time.Sleep(time.Second) // ringing
	d.kill()

	slow := newSlowARI(t)
	d.useARI(slow.url())
	slow.holdFor(time.Second)
	d.run()
	started := d.waitLog(5*time.Second, 1, "time=")
	placed := d.waitLog(10*time.Second, 1, `msg="call placed"`, "number="+numSMSNo)
	connected := d.waitLog(time.Second, 1, `msg="connected to Asterisk"`)
	gap := placed.at.Sub(started.at)
	t.Logf("restart → connected %v, restart → next number placed %v", connected.at.Sub(started.at), gap)
	if gap > 2*time.Second {
		t.Fatalf("next number placed %v after the restart, want within 2 s", gap)
	}
	d.waitLog(30*time.Second, 1, `msg="sms choice"`, "choice=no")
	d.noSMS("after a restart with Asterisk up")
	d.stop()

	a, err := d.openStore().AlarmByNumber(context.Background(), 101)
	if err != nil {
		t.Fatal(err)
	}
	if got := attemptsString(a); !strings.Contains(got, numNoAnswer+" failed") || a.State != aw.AlarmAccepted ||
		len(a.Attempts) != 2 || a.Attempts[0].Reason != "daemon restart" || a.AcceptedBy != numSMSNo {
		t.Fatalf("alarm #%d %s\n%s", a.Number, a.State, got)
	}
}

// A session's timer comes due while the daemon is stopped: at the start
// the alarm's first call waits for the connection to Asterisk and is placed
// right after it, without an SMS.
func TestDaemonExpiredWhileStopped(t *testing.T) {
	needBed(t)
	d := startBedDaemon(t, "awtest-expired", restartSettings)
	_, id := d.startSession(numSMSNo, numBusy)
	d.stop()
	testkit.ExpireWhileStopped(t, filepath.Join(d.dir, "aw.db"), id)

	d.run()
	connected := d.waitLog(10*time.Second, 1, `msg="connected to Asterisk"`)
	placed := d.waitLog(10*time.Second, 1, `msg="call placed"`, "number="+numSMSNo)
	t.Logf("connected → first alarm call placed %v", placed.at.Sub(connected.at))
	if placed.at.Before(connected.at) || placed.at.Sub(connected.at) > time.Second {
		t.Fatalf("first call at %v, connected at %v: want it within 1 s after the connection", placed.at, connected.at)
	}
	d.waitLog(30*time.Second, 1, `msg="sms choice"`, "choice=no")
	d.noSMS("a timer that came due while stopped")
	d.stop()
}

// Asterisk is stopped for 30 s during an alarm and started again: the
// calls that cannot be placed meanwhile back off (and the alarm SMS goes
// out: telephony is really down), and when ARI reconnects the ladder calls
// at once instead of waiting out its back-off.
func TestDaemonAsteriskBackAfterOutage(t *testing.T) {
	needBed(t)
	defer func() {
		if !ariUp() {
			bed(t, "asterisk-start")
		}
	}()
	d := startBedDaemon(t, "awtest-outage", restartSettings)
	d.raiseAlarm(numNoAnswer, numSMSNo)
	d.waitLog(15*time.Second, 1, `msg="call placed"`, "number="+numNoAnswer)
	bed(t, "asterisk-stop")
	d.waitLog(20*time.Second, 1, "call could not be placed; backing off")
	time.Sleep(30 * time.Second)
	bed(t, "asterisk-start")
	connected := d.waitLog(30*time.Second, 2, `msg="connected to Asterisk"`)
	placed := d.waitLog(10*time.Second, 1, `msg="call placed"`, "number="+numSMSNo)
	gap := placed.at.Sub(connected.at)
	t.Logf("reconnect → next call placed %v; calls not placed during the outage: %d", gap, len(d.logLines("call could not be placed")))
	if gap < 0 || gap > time.Second {
		t.Fatalf("next call placed %v after the reconnect, want within 1 s", gap)
	}
	d.waitLog(30*time.Second, 1, `msg="ALARM ACCEPTED"`)
	if len(d.logLines("telephony cannot place calls: alarm SMS")) != 1 {
		t.Fatalf("want one telephony-down fan-out during the outage\n%s", d.stderr.String())
	}
	d.stop()
}
