package ari

import (
	"strconv"

	aw "alleenwerken"
)

// Media of the alarm call (asterisk-conf/prompts.sh makes them per language;
// the channel's language picks the folder).
const (
	mediaTest         = "sound:aw-test"
	mediaIntro        = "sound:aw-intro"
	mediaPress1       = "sound:aw-press1"
	mediaAccepted     = "sound:aw-accepted"
	mediaSMSOffer     = "sound:aw-sms-offer"
	mediaSMSSent      = "sound:aw-sms-sent"
	mediaReportNumber = "sound:aw-report-number"
	mediaAccessCode   = "sound:aw-access-code"
	mediaAgain        = "sound:aw-again"
	mediaUseThem      = "sound:aw-use-them"
	mediaThanks       = "sound:aw-thanks"
)

// promptRound returns what is played in round n (1-based) before waiting for
// a 1: the intro (after "this is a test" for a test alarm) and "press 1".
func promptRound(n int, test bool) []string {
	if n > 1 {
		return []string{mediaPress1}
	}
	var items []string
	if test {
		items = append(items, mediaTest)
	}
	return append(items, mediaIntro, mediaPress1)
}

// reportItems speaks the report number and the access code digit by digit,
// twice, and how to use them.
func reportItems(plan aw.AcceptPlan) []string {
	once := []string{mediaReportNumber, "digits:" + strconv.Itoa(plan.ReportNumber)}
	if plan.AccessCode != "" {
		once = append(once, mediaAccessCode, spell(plan.AccessCode))
	}
	items := append([]string{}, once...)
	items = append(items, mediaAgain)
	items = append(items, once...)
	return append(items, mediaUseThem)
}

// spell returns the media that says a code one character at a time.
func spell(code string) string {
	for _, r := range code {
		if r < '0' || r > '9' {
			return "characters:" + code
		}
	}
	return "digits:" + code
}
