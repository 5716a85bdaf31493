package alleenwerken

import (
	"context"
	"time"
)

// CallRequest is one call of one attempt, with everything the telephony
// adapter needs; the settings are read afresh for each attempt.
type CallRequest struct {
	ID            string        // channel id, stable per attempt: a retry can never ring twice
	Number        string        // E.164 or an extension number
	Extension     *Extension    // set when Number is an internal extension
	Language      string        // "nl" or "en"
	RingTimeout   time.Duration // how long to ring before giving up
	PromptRepeats int           // how often "press 1" is played
	CallerID      string        // presented number, may be empty
	Test          bool          // a test alarm: every prompt starts with "this is a test"
	Cause         AlarmCause    // why the alarm went off: said after the intro (not for a test alarm)
	AlarmNumber   int           // the report number, for logs
	Dial          string        // what to dial, e.g. PJSIP/+31612345678@trunk or PJSIP/201
	Trunk         string        // the trunk endpoint, whose state the adapter's health reports
	MaxCalls      int           // how many calls may run at once (the settings'); 0: the adapter's own
}

// AcceptPlan is what the escalator tells the call to do after a 1, once the
// acceptance is on disk.
type AcceptPlan struct {
	OfferSMS     bool   // offer the SMS (1 yes, 2 no): mobile acceptor and SMS healthy
	ReportNumber int    // spoken digit by digit when no SMS is chosen
	AccessCode   string // spoken digit by digit after the report number
}

// CallProgress receives a call's progress as it happens. Methods are called
// from the goroutine that owns the call, in order.
type CallProgress interface {
	// Answered is called when the callee answers.
	Answered()
	// Digit is called for every DTMF digit received.
	Digit(d string)
	// Accepted is called once, on the first 1. It returns after the
	// acceptance is recorded durably and says what the call plays next.
	Accepted() AcceptPlan
	// SMSChoice reports the answer to the SMS offer: "yes", "no" or "none".
	SMSChoice(choice string)
	// Played reports a media URI that finished playing (e.g. "sound:aw-intro").
	Played(media string)
}

// CallResult is how a call ended. Outcome uses the one vocabulary of
// architecture.md; Cause is the Q.850 hang-up cause.
type CallResult struct {
	Outcome   Outcome
	Cause     int
	CauseText string
	SIPDetail string
	Reason    string
}

// Telephony places alarm calls.
type Telephony interface {
	HealthReporter
	// Call places one call and blocks until it has ended, reporting progress
	// to p. An error means the call could not be placed at all
	// (infrastructure); every call that was placed ends in a CallResult.
	Call(ctx context.Context, req CallRequest, p CallProgress) (CallResult, error)
	// Hangup ends a call by its id if it still exists (after a daemon restart
	// or reconnect). A call that no longer exists is not an error.
	Hangup(ctx context.Context, callID string) error
}

// EndpointStater is implemented by a telephony adapter that can tell
// whether an internal extension's phone is registered and reachable, for
// the health page.
type EndpointStater interface {
	// EndpointState returns "online", "offline" or "unknown" for a PJSIP
	// endpoint, or an error when the PBX cannot be asked.
	EndpointState(ctx context.Context, endpoint string) (string, error)
}

// CausePrompt is the name of the prompt that says why the alarm went off
// ("aw-cause-button", "aw-cause-timer"; asterisk-conf/prompts.sh makes
// them), said after the intro and again after the acceptance; "" for a
// test alarm or an unknown cause.
func (r CallRequest) CausePrompt() string {
	if r.Test {
		return ""
	}
	switch r.Cause {
	case CauseManual:
		return "aw-cause-button"
	case CauseExpired:
		return "aw-cause-timer"
	}
	return ""
}
