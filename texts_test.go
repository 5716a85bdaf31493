package alleenwerken_test

import (
	"strings"
	"testing"
	"time"

	aw "alleenwerken"
)

// The responder SMS says why the alarm went off, in its language, right
// after the report number; a test alarm says TEST instead.
func TestResponderTextCause(t *testing.T) {
	s := &aw.Session{Worker: aw.Worker{Name: "Laura van Dijk", Phone: "+31617782201"}}
	for _, tc := range []struct {
		lang  string
		cause aw.AlarmCause
		test  bool
		want  string
	}{
		{"nl", aw.CauseManual, false, "ALARM Alleen Werken #897: alarmknop ingedrukt. Laura van Dijk (+31617782201)."},
		{"nl", aw.CauseExpired, false, "ALARM Alleen Werken #897: timer verlopen. Laura van Dijk"},
		{"en", aw.CauseManual, false, "ALARM Working Alone #897: alarm button pressed. Laura van Dijk"},
		{"en", aw.CauseExpired, false, "ALARM Working Alone #897: timer ran out. Laura van Dijk"},
		{"nl", aw.CauseTest, true, "TEST ALARM Alleen Werken #897: Laura van Dijk"},
		{"nl", "", false, "ALARM Alleen Werken #897: Laura van Dijk"}, // an alarm stored without a cause
	} {
		a := &aw.Alarm{Number: 897, Cause: tc.cause, Test: tc.test}
		if got := aw.ResponderText(tc.lang, a, s, "https://x/m/t", time.UTC); !strings.HasPrefix(got, tc.want) {
			t.Errorf("%s %s: %q, want it to start %q", tc.lang, tc.cause, got, tc.want)
		}
	}
}
