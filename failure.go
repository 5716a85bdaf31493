package alleenwerken

import (
	"context"
	"time"
)

// FailureStore keeps the failed attempts the console throttles (log-ins,
// access codes, information links) so that a lock-out survives a restart.
// A kind names the throttle, a key what it counts (a user name, an
// address, a report number).
type FailureStore interface {
	// AddFailure records a failed attempt of key at at, durably, and
	// forgets the kind's failures older than keep.
	AddFailure(ctx context.Context, kind, key string, at time.Time, keep time.Duration) error
	// ResetFailures forgets the failures of key.
	ResetFailures(ctx context.Context, kind, key string) error
	// Failures returns the kind's failures since since, by key, oldest
	// first, and forgets the older ones.
	Failures(ctx context.Context, kind string, since time.Time) (map[string][]time.Time, error)
}
