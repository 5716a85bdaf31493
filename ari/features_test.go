package ari_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	aw "alleenwerken"
	"alleenwerken/ari"
	"alleenwerken/cmd/testkit/testbed"
)

// The desk phone 201 registered itself; it is dialled as its PJSIP endpoint.
func TestExtension(t *testing.T) {
	testbed.Need(t)
	tel := testbed.MustOpen(t, testbed.Config("ext"))
	req := testbed.Request("201")
	req.Extension = &aw.Extension{Number: "201", Name: "Portiersloge"}
	r := newRecorder(aw.AcceptPlan{ReportNumber: 897, AccessCode: "4217"})
	res, err := tel.Call(context.Background(), req, r)
	if err != nil {
		t.Fatal(err)
	}
	log, _, digits, _ := r.snapshot()
	t.Logf("%+v %q", res, log)
	if res.Outcome != aw.OutcomeAccepted || digits != "1" {
		t.Fatalf("outcome %q digits %q, want accepted after 1", res.Outcome, digits)
	}
	checkReport(t, r, res)
}

// At most MaxCalls calls run at once; the others wait for a slot.
func TestSimultaneousLimit(t *testing.T) {
	testbed.Need(t)
	cfg := testbed.Config("limit")
	cfg.MaxCalls = 2
	tel := testbed.MustOpen(t, cfg)
	const n = 6
	var wg sync.WaitGroup
	results := make([]aw.CallResult, n)
	errs := make([]error, n)
	ids := map[string]bool{}
	reqs := make([]aw.CallRequest, n)
	for i := range reqs {
		reqs[i] = testbed.Request(testbed.NumNoAnswer)
		reqs[i].RingTimeout = 2 * time.Second
		ids[reqs[i].ID] = true
	}
	calls := newCallLog(tel)
	start := time.Now()
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i], errs[i] = calls.Call(context.Background(), reqs[i], newRecorder(aw.AcceptPlan{}))
		}()
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	maxActive, maxChannels := 0, 0
	for polling := true; polling; {
		select {
		case <-done:
			polling = false
		case <-time.After(100 * time.Millisecond):
			maxActive = max(maxActive, tel.ActiveCalls())
			ours, err := calls.liveChannels(func(id string) bool { return ids[id] })
			if err != nil {
				t.Fatal(err)
			}
			maxChannels = max(maxChannels, ours)
		}
	}
	elapsed := time.Since(start)
	t.Logf("%d calls with a limit of 2 took %v; max active %d, max channels %d", n, elapsed, maxActive, maxChannels)
	for i := range n {
		if errs[i] != nil || results[i].Outcome != aw.OutcomeNoAnswer {
			t.Fatalf("call %d: %+v %v", i, results[i], errs[i])
		}
	}
	if maxActive != 2 || maxChannels > 2 {
		t.Fatalf("max active %d, max channels %d, want 2 and at most 2", maxActive, maxChannels)
	}
	if elapsed < 6*time.Second {
		t.Fatalf("6 calls of 2 s with 2 at a time took %v, want at least 6 s", elapsed)
	}
}

// One full call in English, for a test alarm.
func TestEnglish(t *testing.T) {
	testbed.Need(t)
	tel := testbed.MustOpen(t, testbed.Config("en"))
	req := testbed.Request(testbed.NumSMSNo)
	req.Language = "en"
	req.Test = true
	r := newRecorder(aw.AcceptPlan{OfferSMS: true, ReportNumber: 42, AccessCode: "9031"})
	res, err := tel.Call(context.Background(), req, r)
	if err != nil {
		t.Fatal(err)
	}
	log, played, _, choice := r.snapshot()
	t.Logf("%+v\n%s", res, strings.Join(log, "\n"))
	if res.Outcome != aw.OutcomeAccepted || choice != "no" {
		t.Fatalf("outcome %q choice %q", res.Outcome, choice)
	}
	if len(played) == 0 || played[0] != "sound:aw-test" {
		t.Fatalf("a test alarm must start with 'this is a test': %q", played)
	}
	if count(played, "digits:42") != 2 || count(played, "digits:9031") != 2 {
		t.Fatalf("report number and code not played twice: %q", played)
	}
}

// The call says why the alarm went off right after the intro, and again
// right after "you have accepted" (a 1 pressed during the intro cuts the
// first saying short, as this phone does), in the channel's language; a
// test alarm says "this is a test" and no cause.
func TestCausePrompt(t *testing.T) {
	testbed.Need(t)
	tel := testbed.MustOpen(t, testbed.Config("cause"))
	for _, tc := range []struct {
		name, lang string
		number     string
		cause      aw.AlarmCause
		test       bool
		first      []string // the call starts so
		cause1     string   // said after "accepted"; "" for none
	}{
		{"ButtonNL", "nl", testbed.NumSMSNo, aw.CauseManual, false, []string{"sound:aw-intro"}, "sound:aw-cause-button"},
		{"TimerEN", "en", testbed.NumSMSNo, aw.CauseExpired, false, []string{"sound:aw-intro"}, "sound:aw-cause-timer"},
		{"Test", "nl", testbed.NumSMSNo, aw.CauseTest, true, []string{"sound:aw-test", "sound:aw-intro"}, ""},
		// This phone listens to the whole first round.
		{"ListensNL", "nl", testbed.NumLate, aw.CauseManual, false, []string{"sound:aw-intro", "sound:aw-cause-button", "sound:aw-press1"}, "sound:aw-cause-button"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := testbed.Request(tc.number)
			req.Language, req.Cause, req.Test = tc.lang, tc.cause, tc.test
			r := newRecorder(aw.AcceptPlan{ReportNumber: 897, AccessCode: "4217"})
			res, err := tel.Call(context.Background(), req, r)
			if err != nil {
				t.Fatal(err)
			}
			_, played, _, _ := r.snapshot()
			t.Logf("played %q", played)
			if res.Outcome != aw.OutcomeAccepted || len(played) < len(tc.first) {
				t.Fatalf("outcome %q (a missing prompt file fails the call: restart the test bed so that prompts.sh runs), played %q", res.Outcome, played)
			}
			if !slices.Equal(played[:len(tc.first)], tc.first) {
				t.Fatalf("played %q, want it to start %q", played, tc.first)
			}
			i := slices.Index(played, "sound:aw-accepted")
			if i < 0 {
				t.Fatalf("no 'accepted' in %q", played)
			}
			switch {
			case tc.cause1 == "" && (slices.Contains(played, "sound:aw-cause-button") || slices.Contains(played, "sound:aw-cause-timer")):
				t.Fatalf("a test alarm said a cause: %q", played)
			case tc.cause1 != "" && (i+1 >= len(played) || played[i+1] != tc.cause1):
				t.Fatalf("after 'accepted': %q, want %s", played[i:], tc.cause1)
			}
		})
	}
}

// Close hangs up the calls in progress: no channel of ours is left.
func TestCloseHangsUp(t *testing.T) {
	testbed.Need(t)
	tel, err := ari.New(testbed.Config("close"), nil, testbed.Logger(t))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := tel.WaitConnected(ctx); err != nil {
		t.Fatal(err)
	}
	reqs := []aw.CallRequest{testbed.Request(testbed.NumVoicemail), testbed.Request(testbed.NumNoAnswer), testbed.Request(testbed.NumPress2)}
	reqs[1].RingTimeout = 30 * time.Second
	var wg sync.WaitGroup
	results := make([]aw.CallResult, len(reqs))
	for i := range reqs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i], _ = tel.Call(context.Background(), reqs[i], newRecorder(aw.AcceptPlan{}))
		}()
	}
	time.Sleep(2 * time.Second)
	if got := tel.ActiveCalls(); got != 3 {
		t.Fatalf("%d calls active, want 3", got)
	}
	start := time.Now()
	tel.Close()
	t.Logf("Close took %v", time.Since(start))
	wg.Wait()
	for _, id := range testbed.Channels(t) {
		for _, r := range reqs {
			if id == r.ID {
				t.Fatalf("channel %s still exists after Close", id)
			}
		}
	}
	for i, r := range results {
		if r.Outcome != aw.OutcomeFailed {
			t.Fatalf("call %d: %+v, want failed", i, r)
		}
	}
}

// Hangup ends a call by its id from another adapter instance (as after a
// daemon restart); an unknown id is not an error.
func TestHangupByID(t *testing.T) {
	testbed.Need(t)
	a := testbed.MustOpen(t, testbed.Config("hangup-a"))
	b := testbed.MustOpen(t, testbed.Config("hangup-b"))
	req := testbed.Request(testbed.NumNoAnswer)
	req.RingTimeout = 30 * time.Second
	done := make(chan aw.CallResult, 1)
	go func() {
		res, _ := a.Call(context.Background(), req, newRecorder(aw.AcceptPlan{}))
		done <- res
	}()
	time.Sleep(time.Second)
	if err := b.Hangup(context.Background(), req.ID); err != nil {
		t.Fatal(err)
	}
	select {
	case res := <-done:
		t.Logf("%+v", res)
		if res.Outcome == aw.OutcomeAccepted {
			t.Fatalf("outcome %q", res.Outcome)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("call did not end after Hangup")
	}
	if err := b.Hangup(context.Background(), "no-such-channel"); err != nil {
		t.Fatalf("hangup of an unknown channel: %v", err)
	}
}

// Health shows Asterisk and the trunk's qualify state.
func TestHealthTrunk(t *testing.T) {
	testbed.Need(t)
	tel := testbed.MustOpen(t, testbed.Config("health"))
	h := tel.Health()
	t.Logf("health %+v trunk %q", h, tel.TrunkState())
	if h.State != aw.HealthOK || tel.TrunkState() != "online" {
		t.Fatalf("health %+v trunk %q, want ok and online", h, tel.TrunkState())
	}
}

// The time from Call() to the INVITE reaching the SIPp phone, read from
// SIPp's message trace.
func TestInviteLatency(t *testing.T) {
	testbed.Need(t)
	tel := testbed.MustOpen(t, testbed.Config("latency"))
	var worst time.Duration
	for i := range 3 {
		req := testbed.Request(testbed.NumBusy)
		req.CallerID = fmt.Sprintf("+3130%07d", time.Now().UnixNano()%1e7)
		start := time.Now()
		if _, err := tel.Call(context.Background(), req, newRecorder(aw.AcceptPlan{})); err != nil {
			t.Fatal(err)
		}
		at, err := testbed.InviteTime(testbed.StateDir+"/sipp-05.msg", req.CallerID)
		if err != nil {
			t.Fatal(err)
		}
		d := at.Sub(start)
		worst = max(worst, d)
		t.Logf("call %d: Call() to INVITE at SIPp: %v", i+1, d.Round(100*time.Microsecond))
	}
	if worst > time.Second {
		t.Fatalf("INVITE took %v to reach the phone, want well under 1 s", worst)
	}
}
