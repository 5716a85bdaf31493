package ari_test

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	aw "alleenwerken"
	"alleenwerken/cmd/testkit/testbed"
)

// TestPhones calls every SIPp phone once, in parallel, and checks outcome,
// cause, digits and what was played.
func TestPhones(t *testing.T) {
	testbed.Need(t)
	tel := testbed.MustOpen(t, testbed.Config("phones"))
	plan := aw.AcceptPlan{ReportNumber: 897, AccessCode: "4217"}
	offer := plan
	offer.OfferSMS = true

	type want struct {
		outcome aw.Outcome
		cause   int
		digits  string
		choice  string
	}
	cases := []struct {
		name   string
		number string
		plan   aw.AcceptPlan
		want   want
		check  func(t *testing.T, r *recorder, res aw.CallResult)
	}{
		{"SMSYes", testbed.NumSMSYes, offer, want{aw.OutcomeAccepted, 16, "11", "yes"}, func(t *testing.T, r *recorder, _ aw.CallResult) {
			log, played, _, _ := r.snapshot()
			if i, j := slices.Index(log, "sms yes"), slices.Index(log, "played sound:aw-sms-sent"); i < 0 || j < i {
				t.Fatalf("sms-sent not after the yes: %q", log)
			}
			if n := count(played, "digits:897"); n != 0 {
				t.Fatalf("report number played %d times after an SMS yes", n)
			}
		}},
		{"SMSNo", testbed.NumSMSNo, offer, want{aw.OutcomeAccepted, 16, "12", "no"}, checkReport},
		{"Late", testbed.NumLate, plan, want{aw.OutcomeAccepted, 16, "1", ""}, func(t *testing.T, r *recorder, res aw.CallResult) {
			log, _, _, _ := r.snapshot()
			i := slices.Index(log, "accepted")
			if n := count(strings.Fields(strings.Join(log[:i], " ")), "sound:aw-press1"); n < 2 {
				t.Fatalf("accepted after %d 'press 1' prompts, want 2: %q", n, log)
			}
			if slices.Contains(log, "sms none") || slices.Contains(log, "sms no") {
				t.Fatalf("SMS choice reported without an offer: %q", log)
			}
			checkReport(t, r, res)
		}},
		{"Press2", testbed.NumPress2, plan, want{aw.OutcomeDeclined, 16, "2", ""}, nil},
		{"Busy", testbed.NumBusy, plan, want{aw.OutcomeBusy, 17, "", ""}, func(t *testing.T, _ *recorder, res aw.CallResult) {
			if !strings.Contains(res.SIPDetail, "SIP 486") {
				t.Fatalf("SIP detail %q, want SIP 486", res.SIPDetail)
			}
		}},
		{"Decline", testbed.NumDecline, plan, want{aw.OutcomeDeclined, 21, "", ""}, nil},
		{"NoAnswer", testbed.NumNoAnswer, plan, want{aw.OutcomeNoAnswer, 19, "", ""}, nil},
		{"Voicemail", testbed.NumVoicemail, plan, want{aw.OutcomeNoAnswer, 16, "", ""}, func(t *testing.T, r *recorder, _ aw.CallResult) {
			_, played, _, _ := r.snapshot()
			if n := count(played, "sound:aw-press1"); n != 3 {
				t.Fatalf("'press 1' played %d times, want 3: %q", n, played)
			}
		}},
	}
	// All calls at once (t.Parallel would be capped at GOMAXPROCS).
	type outcome struct {
		r   *recorder
		res aw.CallResult
		err error
		d   time.Duration
	}
	results := make([]outcome, len(cases))
	var wg sync.WaitGroup
	for i, tc := range cases {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := newRecorder(tc.plan)
			ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
			defer cancel()
			start := time.Now()
			res, err := tel.Call(ctx, testbed.Request(tc.number), r)
			results[i] = outcome{r, res, err, time.Since(start)}
		}()
	}
	wg.Wait()
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r, res, err := results[i].r, results[i].res, results[i].err
			if err != nil {
				t.Fatal(err)
			}
			log, _, digits, choice := r.snapshot()
			t.Logf("%s in %v: %+v\n%s", tc.number, results[i].d.Round(time.Millisecond), res, strings.Join(log, "\n"))
			if got, want := res.Outcome, tc.want.outcome; got != want {
				t.Fatalf("outcome %q, want %q", got, want)
			}
			if got, want := res.Cause, tc.want.cause; got != want {
				t.Fatalf("cause %d, want %d", got, want)
			}
			if got, want := digits, tc.want.digits; got != want {
				t.Fatalf("digits %q, want %q", got, want)
			}
			if got, want := choice, tc.want.choice; got != want {
				t.Fatalf("sms choice %q, want %q", got, want)
			}
			if res.CauseText == "" {
				t.Fatalf("no cause text")
			}
			if tc.check != nil {
				tc.check(t, r, res)
			}
		})
	}
}

// checkReport checks that the report number and access code were played
// twice, digit by digit, as Asterisk reported in PlaybackFinished.
func checkReport(t *testing.T, r *recorder, _ aw.CallResult) {
	t.Helper()
	_, played, _, _ := r.snapshot()
	if n := count(played, "digits:897"); n != 2 {
		t.Fatalf("report number played %d times, want 2: %q", n, played)
	}
	if n := count(played, "digits:4217"); n != 2 {
		t.Fatalf("access code played %d times, want 2: %q", n, played)
	}
	if !slices.Contains(played, "sound:aw-thanks") {
		t.Fatalf("no thank you: %q", played)
	}
}
