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
// a 1: in the first round "this is a test" for a test alarm, the intro, why
// the alarm went off (not for a test alarm), then "press 1".
func promptRound(n int, req aw.CallRequest) []string {
	if n > 1 {
		return []string{mediaPress1}
	}
	var items []string
	if req.Test {
		items = append(items, mediaTest)
	}
	items = append(items, mediaIntro)
	if m := causeMedia(req); m != "" {
		items = append(items, m)
	}
	return append(items, mediaPress1)
}

// causeMedia is the prompt that says why the alarm went off; none for a
// test alarm or an unknown cause.
func causeMedia(req aw.CallRequest) string {
	if p := req.CausePrompt(); p != "" {
		return "sound:" + p
	}
	return ""
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
