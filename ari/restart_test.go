package ari_test

import (
	"context"
	"strings"
	"testing"
	"time"

	aw "alleenwerken"
	"alleenwerken/ari"
)

// Asterisk is down when the adapter starts: New does not block, Health is
// down with a reason, calls fail fast once the connect grace has passed;
// once Asterisk is up the adapter connects and a call works.
func TestAsteriskDownAtStart(t *testing.T) {
	needBed(t)
	bed(t, "asterisk-stop")
	defer func() {
		if !ariUp() {
			bed(t, "asterisk-start")
		}
	}()
	start := time.Now()
	cfg := testConfig("down")
	cfg.ConnectGrace = 200 * time.Millisecond // past it by the call below: Asterisk is really down
	tel, err := ari.New(cfg, nil, testLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	defer tel.Close()
	if d := time.Since(start); d > 100*time.Millisecond {
		t.Fatalf("New took %v with Asterisk down", d)
	}
	time.Sleep(500 * time.Millisecond)
	h := tel.Health()
	t.Logf("health while down: %+v", h)
	if h.State != aw.HealthDown || !strings.Contains(h.Reason, "Asterisk") {
		t.Fatalf("health %+v, want down with a reason", h)
	}
	if _, err := tel.Call(context.Background(), request(numBusy), newRecorder(aw.AcceptPlan{})); aw.ErrorCode(err) != aw.EUNAVAILABLE {
		t.Fatalf("call while down: %v, want unavailable", err)
	}

	bed(t, "asterisk-start")
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := tel.WaitConnected(ctx); err != nil {
		t.Fatal(err)
	}
	res, err := tel.Call(context.Background(), request(numBusy), newRecorder(aw.AcceptPlan{}))
	if err != nil || res.Outcome != aw.OutcomeBusy {
		t.Fatalf("call after Asterisk came up: %+v %v", res, err)
	}
}

// Asterisk restarts in the middle of a call: the call ends failed, the
// adapter survives, reconnects, and the next call works.
func TestAsteriskRestartDuringCall(t *testing.T) {
	needBed(t)
	tel := MustOpen(t, testConfig("restart"))
	defer func() {
		if !ariUp() {
			bed(t, "asterisk-start")
		}
	}()
	r := newRecorder(aw.AcceptPlan{})
	done := make(chan aw.CallResult, 1)
	go func() {
		res, err := tel.Call(context.Background(), request(numVoicemail), r)
		if err != nil {
			t.Error(err)
		}
		done <- res
	}()
	deadline := time.Now().Add(5 * time.Second)
	for {
		log, _, _, _ := r.snapshot()
		if len(log) > 0 && log[0] == "answered" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("not answered")
		}
		time.Sleep(50 * time.Millisecond)
	}
	bed(t, "asterisk-stop")
	select {
	case res := <-done:
		t.Logf("call lost with Asterisk: %+v", res)
		if res.Outcome != aw.OutcomeFailed {
			t.Fatalf("outcome %q, want failed", res.Outcome)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("call did not end after Asterisk stopped")
	}
	if h := tel.Health(); h.State != aw.HealthDown {
		t.Fatalf("health %+v, want down", h)
	}
	bed(t, "asterisk-start")
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := tel.WaitConnected(ctx); err != nil {
		t.Fatal(err)
	}
	res, err := tel.Call(context.Background(), request(numSMSYes), newRecorder(aw.AcceptPlan{OfferSMS: true}))
	if err != nil || res.Outcome != aw.OutcomeAccepted {
		t.Fatalf("call after the restart: %+v %v", res, err)
	}
}

// Asterisk restarts in the middle of a ladder: the daemon survives, the
// attempt in progress is failed, and the next numbers are called.
func TestEndToEndAsteriskRestart(t *testing.T) {
	needBed(t)
	defer func() {
		if !ariUp() {
			bed(t, "asterisk-start")
		}
	}()
	e := openE2E(t, func(s *aw.Settings) {
		s.FallbackNumber, s.PromptRepeats, s.LadderLoops = "0612345105", 3, 1
	})
	id := e.pressAlarm([]string{"0612345108", "0612345106"})
	deadline := time.Now().Add(20 * time.Second)
	for {
		if a := e.storedAlarm(id); a != nil && len(a.Attempts) > 0 && a.Attempts[0].AnsweredAt != nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("first call not answered")
		}
		time.Sleep(100 * time.Millisecond)
	}
	bed(t, "asterisk-stop")
	time.Sleep(time.Second)
	bed(t, "asterisk-start")
	a := e.waitAlarm(id, "unanswered")
	t.Logf("alarm #%d %s\n%s", a.Number, a.State, attemptsString(a))
	first := a.Attempts[0]
	if first.Number != "+31612345108" || first.Outcome != aw.OutcomeFailed {
		t.Fatalf("first attempt %s %s, want +31612345108 failed", first.Number, first.Outcome)
	}
	// Calls not placed while Asterisk was away are failed attempts of the
	// same number; then the decline and the busy fallback follow.
	var placed []string
	for _, at := range a.Attempts[1:] {
		if !strings.HasPrefix(at.Reason, "call not placed") {
			placed = append(placed, at.Number+" "+string(at.Outcome))
		}
	}
	if got, want := strings.Join(placed, ", "), "+31612345106 declined, +31612345105 busy"; got != want {
		t.Fatalf("after the restart: %s, want %s", got, want)
	}
}
