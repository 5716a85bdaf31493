package alleenwerken

import (
	"slices"
	"time"
)

// StepKind says whom a ladder step calls.
type StepKind string

// Step kinds. A new kind of call (the worker's own phone first, say) is a
// new kind and a new row in NewLadder, not a new code path in the escalator.
const (
	StepAlarmNumber StepKind = "alarm_number" // one of the worker's alarm numbers
	StepFallback    StepKind = "fallback"     // the appliance's fallback number
)

// Step is one row of an alarm's ladder.
type Step struct {
	Kind   StepKind      `json:"kind"`
	Number string        `json:"number"`          // E.164 or an extension number
	Ring   time.Duration `json:"ring,omitempty"`  // how long it rings; 0: the settings' ring timeout
	Loops  []int         `json:"loops,omitempty"` // the loops (1-based) it is called in; empty: every loop
}

// InLoop reports whether the step is called in loop.
func (s Step) InLoop(loop int) bool {
	if len(s.Loops) == 0 {
		return true
	}
	for _, l := range s.Loops {
		if l == loop {
			return true
		}
	}
	return false
}

// RingTimeout is how long the step rings under set.
func (s Step) RingTimeout(set Settings) time.Duration {
	if s.Ring > 0 {
		return s.Ring
	}
	return set.RingTimeout
}

// NewLadder returns the steps an alarm calls in order: the alarm numbers,
// then the fallback number unless it is already one of them.
func NewLadder(numbers []string, fallback string) []Step {
	l := make([]Step, 0, len(numbers)+1)
	for _, n := range numbers {
		l = append(l, Step{Kind: StepAlarmNumber, Number: n})
	}
	if fallback != "" && !slices.ContainsFunc(l, func(s Step) bool { return s.Number == fallback }) {
		l = append(l, Step{Kind: StepFallback, Number: fallback})
	}
	return l
}

// LadderNumbers returns the numbers of an alarm's ladder in order.
func (a *Alarm) LadderNumbers() []string {
	out := make([]string, 0, len(a.Ladder))
	for _, s := range a.Ladder {
		out = append(out, s.Number)
	}
	return out
}
