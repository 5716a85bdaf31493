package testkit

import (
	"fmt"
	"strings"

	aw "alleenwerken"
)

// FormatAttempts returns an alarm's attempts one a line: loop.step, number,
// outcome, cause, SIP detail and digits, e.g. "1.1 +31612345105 busy cause
// 17 SIP 486 Busy Here \"\"".
func FormatAttempts(a *aw.Alarm) string {
	var b strings.Builder
	for _, at := range a.Attempts {
		fmt.Fprintf(&b, "%d.%d %s %s cause %d %s %q\n", at.Loop, at.Step+1, at.Number, at.Outcome, at.Cause, at.SIPDetail, at.Digits)
	}
	return b.String()
}
