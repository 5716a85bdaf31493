package alleenwerken

import "time"

// Outcome is the result of one call attempt, in the one vocabulary used by
// the store, the API, the console and the logs.
type Outcome string

// Attempt outcomes (architecture.md).
const (
	OutcomeRinging  Outcome = ""          // still in progress
	OutcomeAccepted Outcome = "accepted"  // DTMF 1
	OutcomeDeclined Outcome = "declined"  // cause 21, or answered and hung up / other digits
	OutcomeBusy     Outcome = "busy"      // cause 17
	OutcomeNoAnswer Outcome = "no_answer" // cause 19, ring timeout, silent through all prompts
	OutcomeFailed   Outcome = "failed"    // anything else
)

// Dutch returns the Dutch label shown to responders.
func (o Outcome) Dutch() string {
	switch o {
	case OutcomeAccepted:
		return "aangenomen"
	case OutcomeDeclined:
		return "geweigerd"
	case OutcomeBusy:
		return "bezet"
	case OutcomeNoAnswer:
		return "geen gehoor"
	case OutcomeFailed:
		return "mislukt"
	}
	return "bezig"
}

// OutcomeForCause maps a Q.850 hang-up cause of a call that was never
// answered to an outcome.
func OutcomeForCause(cause int) Outcome {
	switch cause {
	case 17:
		return OutcomeBusy
	case 19, 18:
		return OutcomeNoAnswer
	case 21:
		return OutcomeDeclined
	}
	return OutcomeFailed
}

// Attempt is one call to one number within an alarm's ladder.
type Attempt struct {
	Seq        int        `json:"seq"`  // 1-based, unique within the alarm
	Loop       int        `json:"loop"` // 1-based ladder loop
	Step       int        `json:"step"` // 0-based index in the ladder
	Number     string     `json:"number"`
	CallID     string     `json:"call_id"` // channel id: stable, so a retry never rings twice
	StartedAt  time.Time  `json:"started_at"`
	AnsweredAt *time.Time `json:"answered_at,omitempty"`
	EndedAt    *time.Time `json:"ended_at,omitempty"`
	Digits     string     `json:"digits,omitempty"`
	Outcome    Outcome    `json:"outcome"`
	Cause      int        `json:"cause,omitempty"`      // Q.850 hang-up cause
	CauseText  string     `json:"cause_text,omitempty"` // e.g. "User busy"
	SIPDetail  string     `json:"sip_detail,omitempty"` // SIP status where Asterisk gives it
	Reason     string     `json:"reason,omitempty"`     // e.g. "daemon restart", "call not placed: ..."
	SMSChoice  string     `json:"sms_choice,omitempty"` // "yes", "no", "none", "not_offered"
	Played     []string   `json:"played,omitempty"`     // media the call played
}

// Done reports whether the attempt has an outcome.
func (a *Attempt) Done() bool { return a.Outcome != OutcomeRinging }
