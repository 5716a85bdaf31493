package testkit

import (
	"strings"
	"testing"
	"time"
)

// LogLine is one line of a daemon's log (slog's text format) with its
// time.
type LogLine struct {
	At   time.Time
	Text string
}

// LogLines returns the lines of log that contain every one of parts; a
// line whose time cannot be read fails the test.
func LogLines(tb testing.TB, log string, parts ...string) []LogLine {
	tb.Helper()
	var out []LogLine
next:
	for _, l := range strings.Split(log, "\n") {
		for _, p := range parts {
			if !strings.Contains(l, p) {
				continue next
			}
		}
		f := strings.Fields(l)
		if len(f) == 0 || !strings.HasPrefix(f[0], "time=") {
			continue
		}
		at, err := time.Parse("2006-01-02T15:04:05.000Z07:00", strings.TrimPrefix(f[0], "time="))
		if err != nil {
			tb.Fatalf("log time in %q: %v", l, err)
		}
		out = append(out, LogLine{at, l})
	}
	return out
}

// WaitLog waits up to timeout for the n-th line (1-based) of log with
// every one of parts and returns it.
func WaitLog(tb testing.TB, log *SyncBuffer, timeout time.Duration, n int, parts ...string) LogLine {
	tb.Helper()
	deadline := time.Now().Add(timeout)
	for {
		if ls := LogLines(tb, log.String(), parts...); len(ls) >= n {
			return ls[n-1]
		}
		if time.Now().After(deadline) {
			tb.Fatalf("no log line %d with %q within %s\n%s", n, parts, timeout, log.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}
