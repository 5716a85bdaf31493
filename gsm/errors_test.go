package gsm_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	aw "alleenwerken"
	"alleenwerken/gsm/modemsim"
)

func isRetry(err error) bool {
	var se *aw.SendError
	return errors.As(err, &se) && se.Retry && !se.Unknown
}

func TestSendErrors(t *testing.T) {
	t.Run("NetworkTimeoutRetry", func(t *testing.T) {
		sim := newSim(t, modemsim.Options{})
		m := startModem(t, fastConfig(sim.Path()))
		waitHealth(t, m, aw.HealthOK)
		sim.FailNextSends("332")
		_, err := send(t, m, "s", "+31617782201", "x")
		if !isRetry(err) || !strings.Contains(err.Error(), "332") {
			t.Fatalf("err = %v, want retry with 332", err)
		}
		waitHealth(t, m, aw.HealthDegraded, "Laatste verzending mislukt")
		if _, err := send(t, m, "s", "+31617782201", "x"); err != nil {
			t.Fatalf("second try: %v", err)
		}
		waitHealth(t, m, aw.HealthOK)
	})
	t.Run("InvalidPDUFinal", func(t *testing.T) {
		sim := newSim(t, modemsim.Options{})
		m := startModem(t, fastConfig(sim.Path()))
		waitHealth(t, m, aw.HealthOK)
		sim.FailNextSends("304")
		_, err := send(t, m, "s", "+31617782201", "x")
		var se *aw.SendError
		if !errors.As(err, &se) || se.Retry || se.Unknown || !strings.Contains(err.Error(), "304") {
			t.Fatalf("err = %v, want final with 304", err)
		}
	})
	t.Run("TimeoutUnknown", func(t *testing.T) {
		sim := newSim(t, modemsim.Options{})
		cfg := fastConfig(sim.Path())
		cfg.SendTimeout = 300 * time.Millisecond
		m := startModem(t, cfg)
		waitHealth(t, m, aw.HealthOK)
		sim.FailNextSends("hang")
		atz := count(sim.Commands(), "Z")
		_, err := send(t, m, "s", "+31617782201", "x")
		var se *aw.SendError
		if !errors.As(err, &se) || !se.Unknown {
			t.Fatalf("err = %v, want unknown", err)
		}
		if count(sim.Commands(), "Z") <= atz {
			t.Fatal("the modem was not set up again after the timeout")
		}
		if _, err := send(t, m, "s2", "+31617782201", "na de time-out"); err != nil {
			t.Fatalf("send after timeout: %v", err)
		}
		msgs := decodeAll(t, sim.Sent())
		if len(msgs) != 1 || msgs[0].Text != "na de time-out" {
			t.Fatalf("sent %+v", msgs)
		}
	})
	t.Run("PauseAfterFailures", func(t *testing.T) {
		sim := newSim(t, modemsim.Options{})
		cfg := fastConfig(sim.Path())
		cfg.PauseAfter, cfg.Pause = 3, 300*time.Millisecond
		m := startModem(t, cfg)
		waitHealth(t, m, aw.HealthOK)
		sim.FailNextSends("332", "500", "331")
		for i := 0; i < 3; i++ {
			if _, err := send(t, m, "s", "+31617782201", "x"); !isRetry(err) {
				t.Fatalf("send %d: %v", i, err)
			}
		}
		waitHealth(t, m, aw.HealthDown, "Gepauzeerd na 3 mislukte verzendingen", "331")
		if _, err := send(t, m, "s", "+31617782201", "x"); !isRetry(err) {
			t.Fatalf("send while paused: %v, want retry", err)
		}
		waitHealth(t, m, aw.HealthDegraded) // pause over, last attempt failed
		if _, err := send(t, m, "s", "+31617782201", "x"); err != nil {
			t.Fatal(err)
		}
		waitHealth(t, m, aw.HealthOK)
	})
}

func count(cmds []string, cmd string) int {
	n := 0
	for _, c := range cmds {
		if c == cmd {
			n++
		}
	}
	return n
}

// The network confirms a timed-out part late, during the wait after the
// timeout: no later send may take that answer for its own, and nothing is
// reported sent that did not go out. (An answer later than SendTimeout +
// LateAnswerWait, past the network's own relay timer, could still be taken
// for the answer of a send that races with it; see StaleAnswer for the case
// the prompt check catches.)
func TestLateAnswerAfterTimeout(t *testing.T) {
	sim := newSim(t, modemsim.Options{})
	cfg := fastConfig(sim.Path())
	cfg.SendTimeout = 200 * time.Millisecond
	m := startModem(t, cfg)
	waitHealth(t, m, aw.HealthOK)
	for _, delay := range []string{"late:250ms", "late:450ms"} {
		sim.FailNextSends(delay)
		start := time.Now()
		_, err := send(t, m, "timeout", "+31617782201", "te laat bevestigd")
		var se *aw.SendError
		if !errors.As(err, &se) || !se.Unknown {
			t.Fatalf("%s: err = %v, want unknown", delay, err)
		}
		ok, notOK := 0, 0
		for time.Since(start) < 800*time.Millisecond {
			before := len(sim.Sent())
			rcpt, err := send(t, m, "next", "+31617782201", "daarna")
			if err != nil {
				var se *aw.SendError
				if errors.As(err, &se) && (se.Unknown || se.Retry) {
					notOK++
					t.Logf("%s: %v", delay, err)
					continue // confused by the late answer: never a false "sent"
				}
				t.Fatalf("%s: %v", delay, err)
			}
			ok++
			sent := sim.Sent()
			if len(sent) != before+1 || len(rcpt.Refs) != 1 || rcpt.Refs[0] != sent[len(sent)-1].MR {
				t.Fatalf("%s: receipt %v but the simulator sent %d (last MR %d)", delay, rcpt.Refs, len(sent)-before, sent[len(sent)-1].MR)
			}
		}
		t.Logf("%s: %d sent, %d not", delay, ok, notOK)
	}
}

// An answer arrives between AT+CMGS and its prompt: it cannot be this
// part's, whose PDU was never written. The send is retried, not "sent".
func TestStaleAnswer(t *testing.T) {
	sim := newSim(t, modemsim.Options{})
	m := startModem(t, fastConfig(sim.Path()))
	waitHealth(t, m, aw.HealthOK)
	sim.FailNextSends("stale")
	_, err := send(t, m, "s", "+31617782201", "x")
	if !isRetry(err) {
		t.Fatalf("err = %v, want retry", err)
	}
	if len(sim.Submits()) != 0 {
		t.Fatal("the PDU was written after all")
	}
	rcpt, err := send(t, m, "s", "+31617782201", "y")
	if err != nil {
		t.Fatal(err)
	}
	if sent := sim.Sent(); len(sent) != 1 || rcpt.Refs[0] != sent[0].MR {
		t.Fatalf("receipt %v, sent %+v", rcpt, sent)
	}
}
