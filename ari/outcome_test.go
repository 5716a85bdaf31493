package ari

import (
	"testing"
	"time"

	"alleenwerken"
)

func TestDecide(t *testing.T) {
	ring := 30 * time.Second
	for _, tc := range []struct {
		name string
		f    facts
		want alleenwerken.Outcome
	}{
		{"Accepted", facts{answered: true, accepted: true, cause: 16}, alleenwerken.OutcomeAccepted},
		{"AcceptedThenLost", facts{answered: true, accepted: true, lost: "verbinding met Asterisk verloren"}, alleenwerken.OutcomeAccepted},
		{"AcceptedThenDropped", facts{answered: true, accepted: true, cause: 0}, alleenwerken.OutcomeAccepted},
		{"Busy", facts{cause: 17}, alleenwerken.OutcomeBusy},
		{"Rejected", facts{cause: 21}, alleenwerken.OutcomeDeclined},
		{"NoAnswer", facts{cause: 19}, alleenwerken.OutcomeNoAnswer},
		{"NoResponse", facts{cause: 18}, alleenwerken.OutcomeNoAnswer},
		{"TimeoutCauseZero", facts{cause: 0, rang: ring, ringTimeout: ring}, alleenwerken.OutcomeNoAnswer},
		{"CauseZeroEarly", facts{cause: 0, rang: time.Second, ringTimeout: ring}, alleenwerken.OutcomeFailed},
		{"Congestion", facts{cause: 34}, alleenwerken.OutcomeFailed},
		{"Unallocated", facts{cause: 1}, alleenwerken.OutcomeFailed},
		{"Lost", facts{answered: true, lost: "verbinding met Asterisk verloren"}, alleenwerken.OutcomeFailed},
		{"OtherDigits", facts{answered: true, others: true, cause: 16, ourHangup: true, exhausted: true}, alleenwerken.OutcomeDeclined},
		{"OtherDigitsHungUp", facts{answered: true, others: true, cause: 16}, alleenwerken.OutcomeDeclined},
		{"Voicemail", facts{answered: true, exhausted: true, cause: 16, ourHangup: true}, alleenwerken.OutcomeNoAnswer},
		{"AnsweredHungUp", facts{answered: true, cause: 16}, alleenwerken.OutcomeDeclined},
		{"AsteriskEnded", facts{answered: true, cause: 0}, alleenwerken.OutcomeFailed},
		{"SilentPrompt", facts{answered: true, exhausted: true, promptFailed: "sound:aw-intro", cause: 16, ourHangup: true}, alleenwerken.OutcomeFailed},
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
	items := reportItems(alleenwerken.AcceptPlan{ReportNumber: 897, AccessCode: "4217"})
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
