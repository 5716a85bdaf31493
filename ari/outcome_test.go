package ari

import (
	"testing"
	"time"

	aw "alleenwerken"
)

func TestDecide(t *testing.T) {
	ring := 30 * time.Second
	for _, tc := range []struct {
		name string
		f    facts
		want aw.Outcome
	}{
		{"Accepted", facts{answered: true, accepted: true, cause: 16}, aw.OutcomeAccepted},
		{"AcceptedThenLost", facts{answered: true, accepted: true, lost: "verbinding met Asterisk verloren"}, aw.OutcomeAccepted},
		{"AcceptedThenDropped", facts{answered: true, accepted: true, cause: 0}, aw.OutcomeAccepted},
		{"Busy", facts{cause: 17}, aw.OutcomeBusy},
		{"Rejected", facts{cause: 21}, aw.OutcomeDeclined},
		{"NoAnswer", facts{cause: 19}, aw.OutcomeNoAnswer},
		{"NoResponse", facts{cause: 18}, aw.OutcomeNoAnswer},
		{"TimeoutCauseZero", facts{cause: 0, rang: ring, ringTimeout: ring}, aw.OutcomeNoAnswer},
		{"CauseZeroEarly", facts{cause: 0, rang: time.Second, ringTimeout: ring}, aw.OutcomeFailed},
		{"Congestion", facts{cause: 34}, aw.OutcomeFailed},
		{"Unallocated", facts{cause: 1}, aw.OutcomeFailed},
		{"Lost", facts{answered: true, lost: "verbinding met Asterisk verloren"}, aw.OutcomeFailed},
		{"OtherDigits", facts{answered: true, others: true, cause: 16, ourHangup: true, exhausted: true}, aw.OutcomeDeclined},
		{"OtherDigitsHungUp", facts{answered: true, others: true, cause: 16}, aw.OutcomeDeclined},
		{"Voicemail", facts{answered: true, exhausted: true, cause: 16, ourHangup: true}, aw.OutcomeNoAnswer},
		{"AnsweredHungUp", facts{answered: true, cause: 16}, aw.OutcomeDeclined},
		{"AsteriskEnded", facts{answered: true, cause: 0}, aw.OutcomeFailed},
		{"SilentPrompt", facts{answered: true, exhausted: true, promptFailed: "sound:aw-intro", cause: 16, ourHangup: true}, aw.OutcomeFailed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, reason := decide(tc.f)
			if got != tc.want {
				t.Fatalf("decide(%+v) = %q (%s), want %q", tc.f, got, reason, tc.want)
			}
			if reason == "" {
				t.Fatal("no reason")
			}
		})
	}
}

func TestReportItems(t *testing.T) {
	items := reportItems(aw.AcceptPlan{ReportNumber: 897, AccessCode: "4217"})
	n, c := 0, 0
	for _, m := range items {
		switch m {
		case "digits:897":
			n++
		case "digits:4217":
			c++
		}
	}
	if n != 2 || c != 2 || items[len(items)-1] != mediaUseThem {
		t.Fatalf("report items %q", items)
	}
	if got := spell("AB12"); got != "characters:AB12" {
		t.Fatalf("spell = %q", got)
	}
}
