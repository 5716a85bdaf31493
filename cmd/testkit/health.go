package testkit

import (
	"sync"

	aw "alleenwerken"
)

// Health is a HealthReporter whose state the test sets; the zero value
// reports an empty state.
type Health struct {
	mu     sync.Mutex
	state  aw.HealthState
	reason string
}

// NewHealth returns a Health reporting state and reason.
func NewHealth(state aw.HealthState, reason string) *Health {
	return &Health{state: state, reason: reason}
}

// Health returns the set state.
func (h *Health) Health() aw.Health {
	h.mu.Lock()
	defer h.mu.Unlock()
	return aw.Health{State: h.state, Reason: h.reason}
}

// Set sets the state and reason.
func (h *Health) Set(state aw.HealthState, reason string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.state, h.reason = state, reason
}

// down reports whether the state is down.
func (h *Health) down() bool { return h.Health().State == aw.HealthDown }
