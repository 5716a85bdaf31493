package httpapi

import (
	"fmt"
	"strings"
	"time"

	aw "alleenwerken"
)

// infoView is the information page of one alarm, as the customer's
// document shows it.
type infoView struct {
	Number      int
	State       string
	StateClass  string
	Open        bool // not handled yet: the page updates itself and offers the form
	Test        bool
	Cause       string // why the alarm went off, in words
	WorkerName  string
	WorkerPhone string
	Address     string
	Reference   string
	Description string
	Status      string
	Location    *locationView
	Attempts    []attemptView
	Pending     []string // ladder numbers not called yet in this loop
	SMS         []smsView
	Start       string
	End         string
	AlarmAt     string
	AcceptedBy  string
	HandledBy   string
	HandledAt   string
	Remark      string
	LiveURL     string
	HandleURL   string
	AskName     bool // responders without a log-in type their name
	Version     string
}

// locationView is the last known location with its age and accuracy.
type locationView struct {
	MapURL   string
	Age      string
	Accuracy string
	At       string
}

// attemptView is one call of the ladder.
type attemptView struct {
	Number  string
	Outcome string
	Class   string
	Time    string
}

// smsView is one message sent for the alarm and how far it got.
type smsView struct {
	To    string
	Kind  string
	State string
	Class string // d-ok, d-wait or d-fail
	Time  string
}

// smsProgress says in words how far a message got (text key "sms_" and
// its state, or its delivery once sent), with the moment that goes with it
// and a colour class.
func smsProgress(lang string, m *aw.SMS) (state, class string, at time.Time) {
	key, class, at := "sms_"+string(m.State), "d-wait", m.CreatedAt
	switch m.State {
	case aw.SMSFailed, aw.SMSUnknown:
		class = "d-fail"
	case aw.SMSSent:
		if m.SentAt != nil {
			at = *m.SentAt
		}
		switch m.Delivery {
		case aw.DeliveryDelivered:
			key, class = "sms_delivered", "d-ok"
		case aw.DeliveryFailed:
			key, class = "sms_not_delivered", "d-fail"
		case aw.DeliveryPending:
			key = "sms_delivery_pending"
		}
		if class != "d-wait" && m.DeliveryAt != nil {
			at = *m.DeliveryAt
		}
	}
	return texts[lang][key], class, at
}

// stateText returns the alarm state for people.
func stateText(lang string, s aw.AlarmState) string {
	return texts[lang]["state_"+string(s)]
}

// outcomeText returns an attempt's outcome in the page's language.
func outcomeText(lang string, o aw.Outcome) string {
	if lang == "en" {
		if o == aw.OutcomeRinging {
			return "calling"
		}
		return strings.ReplaceAll(string(o), "_", " ")
	}
	return o.Dutch()
}

// age says how long ago t was, in words.
func age(lang string, now, t time.Time) string {
	d := now.Sub(t)
	if d < 0 {
		d = 0
	}
	switch {
	case d < time.Minute:
		return texts[lang]["age_now"]
	case d < time.Hour:
		return fmt.Sprintf(texts[lang]["age_min"], int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf(texts[lang]["age_hour"], int(d.Hours()), int(d.Minutes())%60)
	}
	return fmt.Sprintf(texts[lang]["age_day"], int(d.Hours()/24))
}

// buildInfo makes the information page of an alarm, its times in the
// settings' time zone and its extensions with their names. sess may be nil
// (a test alarm, or a session that is gone); msgs are the alarm's SMS.
func buildInfo(lang string, a *aw.Alarm, sess *aw.Session, msgs []*aw.SMS, set aw.Settings, now time.Time) *infoView {
	loc := set.Location()
	v := &infoView{
		Number:     a.Number,
		State:      stateText(lang, a.State),
		StateClass: string(a.State),
		Open:       a.State != aw.AlarmHandled,
		Test:       a.Test,
		Cause:      causeText(lang, a.Cause),
		AlarmAt:    localTime(a.RaisedAt, loc, lang),
		AcceptedBy: set.NumberLabel(a.AcceptedBy),
		HandledBy:  a.HandledBy,
		Remark:     a.Remark,
	}
	if a.HandledAt != nil {
		v.HandledAt = localTime(*a.HandledAt, loc, lang)
	}
	if sess != nil && !sess.Purged {
		v.WorkerName, v.WorkerPhone = sess.Worker.Name, sess.Worker.Phone
		v.Address, v.Reference, v.Description = sess.Address, sess.Reference, sess.Description
		v.Start, v.End = localTime(sess.StartedAt, loc, lang), localTime(sess.ExpiresAt, loc, lang)
		if l := sess.Location; l != nil {
			v.Status = l.Status
			v.Location = &locationView{
				MapURL:   aw.MapURL(l.Lat, l.Lon),
				Age:      age(lang, now, l.At),
				Accuracy: fmt.Sprintf("%.0f m", l.AccuracyM),
				At:       localTime(l.At, loc, lang),
			}
		}
	}
	called := map[int]bool{}
	for _, t := range a.Attempts {
		v.Attempts = append(v.Attempts, attemptView{
			Number:  set.NumberLabel(t.Number),
			Outcome: outcomeText(lang, t.Outcome),
			Class:   "o-" + string(t.Outcome),
			Time:    localTime(t.StartedAt, loc, lang),
		})
		if t.Loop == a.Loop {
			called[t.Step] = true
		}
	}
	if a.State == aw.AlarmEscalating {
		for i, st := range a.Ladder {
			if i >= a.Step && !called[i] && st.InLoop(a.Loop) {
				v.Pending = append(v.Pending, set.NumberLabel(st.Number))
			}
		}
	}
	smsVersion := ""
	for _, m := range msgs {
		state, class, at := smsProgress(lang, m)
		v.SMS = append(v.SMS, smsView{To: m.To, Kind: texts[lang]["sms_kind_"+string(m.Kind)], State: state, Class: class, Time: localTime(at, loc, lang)})
		smsVersion += "/" + string(m.State) + m.Delivery
	}
	last := ""
	if n := len(a.Attempts); n > 0 {
		last = string(a.Attempts[n-1].Outcome)
	}
	v.Version = fmt.Sprintf("%s/%d/%s/%d%s", a.State, len(a.Attempts), last, len(v.Pending), smsVersion)
	return v
}
