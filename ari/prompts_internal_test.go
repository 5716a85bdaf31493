package ari

import (
	"slices"
	"testing"

	aw "alleenwerken"
)

// The first round says why the alarm went off after the intro; a test
// alarm says "this is a test" instead; later rounds only "press 1".
func TestPromptRound(t *testing.T) {
	for _, tc := range []struct {
		name  string
		round int
		req   aw.CallRequest
		want  []string
	}{
		{"Button", 1, aw.CallRequest{Cause: aw.CauseManual}, []string{mediaIntro, "sound:aw-cause-button", mediaPress1}},
		{"Timer", 1, aw.CallRequest{Cause: aw.CauseExpired}, []string{mediaIntro, "sound:aw-cause-timer", mediaPress1}},
		{"Test", 1, aw.CallRequest{Cause: aw.CauseTest, Test: true}, []string{mediaTest, mediaIntro, mediaPress1}},
		{"NoCause", 1, aw.CallRequest{}, []string{mediaIntro, mediaPress1}},
		{"SecondRound", 2, aw.CallRequest{Cause: aw.CauseManual}, []string{mediaPress1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := promptRound(tc.round, tc.req); !slices.Equal(got, tc.want) {
				t.Fatalf("promptRound = %q, want %q", got, tc.want)
			}
		})
	}
}
