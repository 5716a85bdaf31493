package store

import (
	"time"

	aw "alleenwerken"
)

// attemptRecord is how one call attempt is stored inside its alarm.
type attemptRecord struct {
	Seq        int        `json:"seq"`
	Loop       int        `json:"loop"`
	Step       int        `json:"step"`
	Number     string     `json:"number"`
	CallID     string     `json:"call_id"`
	StartedAt  time.Time  `json:"started_at"`
	AnsweredAt *time.Time `json:"answered_at,omitempty"`
	EndedAt    *time.Time `json:"ended_at,omitempty"`
	Digits     string     `json:"digits,omitempty"`
	Outcome    string     `json:"outcome,omitempty"`
	Cause      int        `json:"cause,omitempty"`
	CauseText  string     `json:"cause_text,omitempty"`
	SIPDetail  string     `json:"sip_detail,omitempty"`
	Reason     string     `json:"reason,omitempty"`
	SMSChoice  string     `json:"sms_choice,omitempty"`
	Played     []string   `json:"played,omitempty"`
}

func newAttemptRecord(a *aw.Attempt) attemptRecord {
	return attemptRecord{
		Seq:        a.Seq,
		Loop:       a.Loop,
		Step:       a.Step,
		Number:     a.Number,
		CallID:     a.CallID,
		StartedAt:  a.StartedAt,
		AnsweredAt: timePtr(a.AnsweredAt),
		EndedAt:    timePtr(a.EndedAt),
		Digits:     a.Digits,
		Outcome:    string(a.Outcome),
		Cause:      a.Cause,
		CauseText:  a.CauseText,
		SIPDetail:  a.SIPDetail,
		Reason:     a.Reason,
		SMSChoice:  a.SMSChoice,
		Played:     append([]string(nil), a.Played...),
	}
}

func (r attemptRecord) attempt() aw.Attempt {
	return aw.Attempt{
		Seq:        r.Seq,
		Loop:       r.Loop,
		Step:       r.Step,
		Number:     r.Number,
		CallID:     r.CallID,
		StartedAt:  r.StartedAt,
		AnsweredAt: r.AnsweredAt,
		EndedAt:    r.EndedAt,
		Digits:     r.Digits,
		Outcome:    aw.Outcome(r.Outcome),
		Cause:      r.Cause,
		CauseText:  r.CauseText,
		SIPDetail:  r.SIPDetail,
		Reason:     r.Reason,
		SMSChoice:  r.SMSChoice,
		Played:     r.Played,
	}
}
