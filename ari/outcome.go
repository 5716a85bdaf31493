package ari

import (
	"fmt"
	"time"

	aw "alleenwerken"
)

// facts are what a call learned; decide turns them into an outcome.
type facts struct {
	answered     bool
	accepted     bool
	exhausted    bool   // every "press 1" played and waited for, no 1
	others       bool   // a digit other than 1 before acceptance
	promptFailed string // media of a prompt that failed
	lost         string // the call was lost or aborted, and why
	ourHangup    bool   // the adapter hung up (script done or aborted)
	cause        int    // Q.850 hang-up cause
	rang         time.Duration
	ringTimeout  time.Duration
}

// decide maps a call's facts to an outcome and a reason, per the table in
// architecture.md. Only a 1 accepts; a call dropped after the 1 stays
// accepted.
func decide(f facts) (aw.Outcome, string) {
	switch {
	case f.accepted && f.lost != "":
		return aw.OutcomeAccepted, "aangenomen; daarna " + f.lost
	case f.accepted:
		return aw.OutcomeAccepted, "1 gedrukt"
	case f.lost != "":
		return aw.OutcomeFailed, f.lost
	case !f.answered:
		o := aw.OutcomeForCause(f.cause)
		if f.cause == 0 && f.ringTimeout > 0 && f.rang >= f.ringTimeout {
			// Asterisk before 22.8 gives cause 0 on an originate timeout.
			o = aw.OutcomeNoAnswer
		}
		switch o {
		case aw.OutcomeBusy:
			return o, "in gesprek"
		case aw.OutcomeNoAnswer:
			return o, "niet opgenomen"
		case aw.OutcomeDeclined:
			return o, "geweigerd"
		}
		return o, fmt.Sprintf("niet verbonden (oorzaak %d)", f.cause)
	case f.cause == 0 && !f.ourHangup:
		// A person hanging up gives 16; 0 after answer is Asterisk itself
		// ending the call (shutdown, restart).
		return aw.OutcomeFailed, "gesprek verbroken door Asterisk (oorzaak 0)"
	case f.promptFailed != "" && !f.others:
		return aw.OutcomeFailed, "melding kon niet worden afgespeeld: " + f.promptFailed
	case f.others:
		return aw.OutcomeDeclined, "opgenomen, andere toets dan 1"
	case f.exhausted:
		return aw.OutcomeNoAnswer, "opgenomen maar geen 1 na alle herhalingen (voicemail?)"
	}
	return aw.OutcomeDeclined, "opgenomen en opgehangen zonder 1"
}
