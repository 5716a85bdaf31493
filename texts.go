package alleenwerken

import (
	"fmt"
	"strings"
	"time"
)

// The texts people read, from copy.md: Dutch first, English second. Absent
// fields are left out, never printed empty. Times are local to the settings'
// time zone, 24-hour clock.

// ReminderText is the SMS to the worker before the timer expires.
func ReminderText(lang string, expires time.Time, loc *time.Location) string {
	at := expires.In(loc).Format("15:04")
	if lang == "en" {
		return "Working Alone: your timer ends at " + at + ". Done? Stop the timer in the app. Still working? Extend it."
	}
	return "Alleen Werken: je timer loopt om " + at + " af. Klaar? Stop de timer in de app. Nog bezig? Verleng de timer."
}

// ResponderText is the SMS to an acceptor who chose "yes".
func ResponderText(lang string, a *Alarm, s *Session, link string, loc *time.Location) string {
	var b strings.Builder
	if a.Test {
		b.WriteString("TEST ")
	}
	if lang == "en" {
		fmt.Fprintf(&b, "ALARM Working Alone #%d:", a.Number)
	} else {
		fmt.Fprintf(&b, "ALARM Alleen Werken #%d:", a.Number)
	}
	if c := CauseText(lang, a.Cause); c != "" {
		fmt.Fprintf(&b, " %s.", c)
	}
	if s != nil {
		if s.Worker.Name != "" {
			fmt.Fprintf(&b, " %s", OneLine(s.Worker.Name))
			if s.Worker.Phone != "" {
				fmt.Fprintf(&b, " (%s)", s.Worker.Phone)
			}
			b.WriteString(".")
		}
		if s.Description != "" {
			if lang == "en" {
				fmt.Fprintf(&b, " Description: %s.", strings.TrimRight(OneLine(s.Description), "."))
			} else {
				fmt.Fprintf(&b, " Omschrijving: %s.", strings.TrimRight(OneLine(s.Description), "."))
			}
		}
		if s.Address != "" {
			if lang == "en" {
				fmt.Fprintf(&b, " Address: %s.", OneLine(s.Address))
			} else {
				fmt.Fprintf(&b, " Adres: %s.", OneLine(s.Address))
			}
		}
		if l := s.Location; l != nil {
			label := "Locatie"
			if lang == "en" {
				label = "Location"
			}
			fmt.Fprintf(&b, " %s: %s (%.0f m, %s).", label, MapURL(l.Lat, l.Lon), l.AccuracyM, l.At.In(loc).Format("15:04"))
		}
	}
	fmt.Fprintf(&b, " Info: %s", link)
	return b.String()
}

// CauseText says in words why an alarm went off ("alarmknop ingedrukt",
// "timer verlopen"); empty for a test alarm (its texts say TEST) and for an
// alarm stored without a cause.
func CauseText(lang string, c AlarmCause) string {
	en := lang == "en"
	switch c {
	case CauseManual:
		return map[bool]string{false: "alarmknop ingedrukt", true: "alarm button pressed"}[en]
	case CauseExpired:
		return map[bool]string{false: "timer verlopen", true: "timer ran out"}[en]
	}
	return ""
}

// UnansweredText is the SMS to admins when nobody accepted.
func UnansweredText(lang string, a *Alarm, link string) string {
	p := testPrefix(a)
	if lang == "en" {
		return fmt.Sprintf("%sALARM Working Alone #%d NOT ACCEPTED after all numbers. See the alarm now: %s", p, a.Number, link)
	}
	return fmt.Sprintf("%sALARM Alleen Werken #%d NIET AANGENOMEN na alle nummers. Bekijk direct de melding: %s", p, a.Number, link)
}

// NotHandledText is the SMS to the acceptor and the admins while an
// accepted alarm is not handled: who accepted (acceptor, as shown) and when.
func NotHandledText(lang string, a *Alarm, acceptor, link string, loc *time.Location) string {
	p := testPrefix(a)
	at := ""
	if a.AcceptedAt != nil {
		at = a.AcceptedAt.In(loc).Format("15:04")
	}
	if lang == "en" {
		return fmt.Sprintf("%sWorking Alone #%d: accepted at %s by %s, not yet handled. Has the worker been helped? Close the alarm: %s", p, a.Number, at, acceptor, link)
	}
	return fmt.Sprintf("%sAlleen Werken #%d: aangenomen om %s door %s, nog niet afgehandeld. Is de medewerker geholpen? Sluit de melding af: %s", p, a.Number, at, acceptor, link)
}

// TelephonyDownText is the SMS to every alarm number and admin when the
// phone system cannot place calls.
func TelephonyDownText(lang string, a *Alarm, workerName, link string) string {
	p := testPrefix(a)
	workerName = OneLine(workerName)
	if workerName == "" {
		workerName = map[bool]string{true: "Someone working alone", false: "Iemand die alleen werkt"}[lang == "en"]
	}
	if lang == "en" {
		return fmt.Sprintf("%sALARM Working Alone #%d: %s may need help. The phone system cannot call right now. Info: %s", p, a.Number, workerName, link)
	}
	return fmt.Sprintf("%sALARM Alleen Werken #%d: %s heeft mogelijk hulp nodig. Het telefoonsysteem kan nu niet bellen. Info: %s", p, a.Number, workerName, link)
}

// MapURL returns the OpenStreetMap link for a position.
func MapURL(lat, lon float64) string {
	return fmt.Sprintf("https://www.openstreetmap.org/?mlat=%.4f&mlon=%.4f#map=18/%.4f/%.4f", lat, lon, lat, lon)
}

// InfoLink returns the information-page link for a token.
func InfoLink(baseURL, token string) string {
	return strings.TrimRight(baseURL, "/") + "/m/" + token
}

func testPrefix(a *Alarm) string {
	if a.Test {
		return "TEST "
	}
	return ""
}
