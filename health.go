package alleenwerken

import "time"

// HealthState is the state of one part of the appliance.
type HealthState string

// Health states, as in /healthz.
const (
	HealthOK       HealthState = "ok"
	HealthDegraded HealthState = "degraded"
	HealthDown     HealthState = "down"
)

// Health is the state of one component with the reason in words.
type Health struct {
	State  HealthState `json:"state"`
	Reason string      `json:"reason"`
	Since  time.Time   `json:"-"`
}

// HealthReporter is implemented by every part whose health the appliance shows.
type HealthReporter interface {
	// Health returns the cached health; it never blocks on I/O.
	Health() Health
}

// Worst returns the worst of the given states.
func Worst(states ...HealthState) HealthState {
	w := HealthOK
	for _, s := range states {
		if s == HealthDown {
			return HealthDown
		} else if s == HealthDegraded {
			w = HealthDegraded
		}
	}
	return w
}

// Warning tells the app that the appliance cannot currently do part of its
// job; the session is started and armed all the same.
type Warning struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// Warning codes.
const (
	WarnTelephonyDown = "telephony_down"
	WarnSMSDown       = "sms_down"
)
