package ari_test

import (
	"context"
	"strings"
	"testing"
	"time"

	aw "alleenwerken"
	"alleenwerken/ari"
	"alleenwerken/cmd/testkit/testbed"
)

// Asterisk is down when the adapter starts: New does not block, Health is
// down with a reason, calls fail fast once the connect grace has passed;
// once Asterisk is up the adapter connects and a call works.
func TestAsteriskDownAtStart(t *testing.T) {
	testbed.Need(t)
	testbed.Run(t, "asterisk-stop")
	defer func() {
		if !testbed.Up() {
			testbed.Run(t, "asterisk-start")
		}
	}()
	start := time.Now()
	cfg := testbed.Config("down")
	cfg.ConnectGrace = 200 * time.Millisecond // past it by the call below: Asterisk is really down
	tel, err := ari.New(cfg, nil, testbed.Logger(t))
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
	if _, err := tel.Call(context.Background(), testbed.Request(testbed.NumBusy), newRecorder(aw.AcceptPlan{})); aw.ErrorCode(err) != aw.EUNAVAILABLE {
		t.Fatalf("call while down: %v, want unavailable", err)
	}

	testbed.Run(t, "asterisk-start")
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := tel.WaitConnected(ctx); err != nil {
		t.Fatal(err)
	}
	res, err := tel.Call(context.Background(), testbed.Request(testbed.NumBusy), newRecorder(aw.AcceptPlan{}))
	if err != nil || res.Outcome != aw.OutcomeBusy {
		t.Fatalf("call after Asterisk came up: %+v %v", res, err)
	}
}

// Asterisk restarts in the middle of a call: the call ends failed, the
// adapter survives, reconnects, and the next call works.
func TestAsteriskRestartDuringCall(t *testing.T) {
	testbed.Need(t)
	tel := testbed.MustOpen(t, testbed.Config("restart"))
	defer func() {
		if !testbed.Up() {
			testbed.Run(t, "asterisk-start")
		}
	}()
	r := newRecorder(aw.AcceptPlan{})
	done := make(chan aw.CallResult, 1)
	go func() {
		res, err := tel.Call(context.Background(), testbed.Request(testbed.NumVoicemail), r)
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
	testbed.Run(t, "asterisk-stop")
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
	testbed.Run(t, "asterisk-start")
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := tel.WaitConnected(ctx); err != nil {
		t.Fatal(err)
	}
	res, err := tel.Call(context.Background(), testbed.Request(testbed.NumSMSYes), newRecorder(aw.AcceptPlan{OfferSMS: true}))
	if err != nil || res.Outcome != aw.OutcomeAccepted {
		t.Fatalf("call after the restart: %+v %v", res, err)
	}
}
