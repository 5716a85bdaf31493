// Package demo holds the clearly labelled simulated phone system and modem of
// the demo mode. They print every call, digit and SMS and answer by script.
package demo

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"sync"
	"time"

	aw "alleenwerken"
)

// Behaviour is how a simulated phone answers.
type Behaviour string

// Scripted behaviours. By default a number's last digit picks one:
// 1 busy, 2 no answer, 3 accepts and wants the SMS, 4 accepts without SMS,
// 5 declines, 6 answers and stays silent (voicemail), 7 presses 2,
// 0 the call fails (congestion); 8 and 9 accept and want the SMS.
const (
	Busy         Behaviour = "busy"
	NoAnswer     Behaviour = "no_answer"
	AcceptSMS    Behaviour = "accept_sms"
	AcceptNoSMS  Behaviour = "accept_no_sms"
	Decline      Behaviour = "decline"
	Voicemail    Behaviour = "voicemail"
	PressTwo     Behaviour = "press_2"
	Congestion   Behaviour = "congestion"
	simLabel               = "[SIMULATIE telefonie]"
	simSMSLabel            = "[SIMULATIE modem]"
	defaultPause           = 1500 * time.Millisecond
)

// BehaviourFor returns the scripted behaviour of a number.
func BehaviourFor(number string) Behaviour {
	switch number[len(number)-1] {
	case '1':
		return Busy
	case '2':
		return NoAnswer
	case '4':
		return AcceptNoSMS
	case '5':
		return Decline
	case '6':
		return Voicemail
	case '7':
		return PressTwo
	case '0':
		return Congestion
	}
	return AcceptSMS
}

// Telephony is a simulated phone system. It is not Asterisk: it prints what
// a real call would do and answers by script.
type Telephony struct {
	Out   io.Writer
	Pause time.Duration // time a simulated phone takes to ring or act

	mu    sync.Mutex
	calls map[string]context.CancelFunc
}

var _ aw.Telephony = (*Telephony)(nil)

// NewTelephony returns a simulated phone system printing to out.
func NewTelephony(out io.Writer) *Telephony {
	return &Telephony{Out: out, Pause: defaultPause, calls: map[string]context.CancelFunc{}}
}

// Health is always ok: the simulation cannot fail.
func (t *Telephony) Health() aw.Health {
	return aw.Health{State: aw.HealthOK, Reason: "SIMULATIE: geen echte telefooncentrale"}
}

func (t *Telephony) printf(format string, args ...any) {
	t.mu.Lock()
	defer t.mu.Unlock()
	fmt.Fprintf(t.Out, "%s %s "+format+"\n", append([]any{time.Now().Format("15:04:05"), simLabel}, args...)...)
}

// Hangup ends a simulated call if it still runs.
func (t *Telephony) Hangup(ctx context.Context, callID string) error {
	t.mu.Lock()
	cancel := t.calls[callID]
	t.mu.Unlock()
	if cancel != nil {
		cancel()
	}
	t.printf("ophangen %s (van voor de herstart)", callID)
	return nil
}

// Call simulates one call.
func (t *Telephony) Call(ctx context.Context, req aw.CallRequest, p aw.CallProgress) (aw.CallResult, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	t.mu.Lock()
	t.calls[req.ID] = cancel
	t.mu.Unlock()
	defer func() {
		t.mu.Lock()
		delete(t.calls, req.ID)
		t.mu.Unlock()
	}()

	b := BehaviourFor(req.Number)
	kind := "via de trunk"
	if req.Extension != nil {
		kind = "toestel " + req.Extension.EndpointName()
	}
	t.printf("BEL %s (%s) voor melding #%d, gesprek %s; script: %s", req.Number, kind, req.AlarmNumber, req.ID, b)
	wait := func(d time.Duration) bool {
		select {
		case <-ctx.Done():
			return false
		case <-time.After(d):
			return true
		}
	}
	lost := aw.CallResult{Outcome: aw.OutcomeFailed, Cause: 16, CauseText: "Normal Clearing", Reason: "opgehangen door de appliance"}
	if !wait(t.Pause) {
		return lost, nil
	}
	switch b {
	case Busy:
		t.printf("%s is BEZET (SIP 486, oorzaak 17)", req.Number)
		return aw.CallResult{Outcome: aw.OutcomeBusy, Cause: 17, CauseText: "User busy", SIPDetail: "486 Busy Here"}, nil
	case Decline:
		t.printf("%s WEIGERT (SIP 603, oorzaak 21)", req.Number)
		return aw.CallResult{Outcome: aw.OutcomeDeclined, Cause: 21, CauseText: "Call Rejected", SIPDetail: "603 Decline"}, nil
	case Congestion:
		t.printf("%s MISLUKT (SIP 503, oorzaak 34)", req.Number)
		return aw.CallResult{Outcome: aw.OutcomeFailed, Cause: 34, CauseText: "Circuit/channel congestion", SIPDetail: "503 Service Unavailable"}, nil
	case NoAnswer:
		t.printf("%s gaat over ... (beltijd %s)", req.Number, req.RingTimeout)
		if !wait(req.RingTimeout) {
			return lost, nil
		}
		t.printf("%s: GEEN GEHOOR na %s (oorzaak 19)", req.Number, req.RingTimeout)
		return aw.CallResult{Outcome: aw.OutcomeNoAnswer, Cause: 19, CauseText: "No answer"}, nil
	}
	p.Answered()
	t.printf("%s NEEMT OP", req.Number)
	play := func(media string) {
		t.printf("speelt %s", media)
		p.Played(media)
	}
	if req.Test {
		play("sound:aw-test")
	}
	play("sound:aw-intro")
	if c := req.CausePrompt(); c != "" {
		play("sound:" + c)
	}
	play("sound:aw-press1")
	switch b {
	case Voicemail:
		for i := 1; i < req.PromptRepeats; i++ {
			play("sound:aw-press1")
		}
		t.printf("%s: geen toets na %d keer: GEEN GEHOOR (voicemail?)", req.Number, req.PromptRepeats)
		return aw.CallResult{Outcome: aw.OutcomeNoAnswer, Cause: 16, CauseText: "Normal Clearing", Reason: "geen toets na alle vragen"}, nil
	case PressTwo:
		t.printf("%s drukt 2", req.Number)
		p.Digit("2")
		t.printf("%s hangt op zonder 1: GEWEIGERD", req.Number)
		return aw.CallResult{Outcome: aw.OutcomeDeclined, Cause: 16, CauseText: "Normal Clearing", Reason: "opgehangen zonder 1"}, nil
	}
	t.printf("%s drukt 1", req.Number)
	p.Digit("1")
	plan := p.Accepted()
	t.printf("%s heeft de melding AANGENOMEN", req.Number)
	play("sound:aw-accepted")
	if c := req.CausePrompt(); c != "" {
		play("sound:" + c)
	}
	choice := "no"
	if plan.OfferSMS {
		play("sound:aw-sms-offer")
		if b == AcceptSMS {
			choice = "yes"
		}
		t.printf("%s kiest sms: %s (druk %s)", req.Number, choice, map[string]string{"yes": "1", "no": "2"}[choice])
		p.Digit(map[string]string{"yes": "1", "no": "2"}[choice])
		p.SMSChoice(choice)
	}
	if choice == "yes" {
		play("sound:aw-sms-sent")
	} else {
		for i := 0; i < 2; i++ {
			play("sound:aw-report-number")
			play("digits:" + strconv.Itoa(plan.ReportNumber))
			play("sound:aw-access-code")
			play("digits:" + plan.AccessCode)
		}
		t.printf("meldingsnummer %d en toegangscode %s twee keer uitgesproken", plan.ReportNumber, plan.AccessCode)
	}
	play("sound:aw-thanks")
	t.printf("%s: gesprek beëindigd", req.Number)
	return aw.CallResult{Outcome: aw.OutcomeAccepted, Cause: 16, CauseText: "Normal Clearing"}, nil
}
