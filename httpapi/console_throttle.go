package httpapi

import (
	"context"
	"log/slog"
	"sync"
	"time"

	aw "alleenwerken"
)

// Throttle limits.
const (
	// LoginMaxFailures failed log-ins for one user name or from one IP
	// within LoginLockout lock further attempts until LoginLockout after
	// the last of them.
	LoginMaxFailures = 5
	LoginLockout     = 15 * time.Minute
	// CodeMaxFailures wrong report number/access code pairs from one IP
	// lock that IP out of the public form for CodeLockout.
	CodeMaxFailures = 5
	CodeLockout     = 15 * time.Minute
	// CodeMaxFailuresPerNumber wrong codes for one report number within an
	// hour lock the form for that number (the SMS link and a log-in still
	// work): four digits must not be guessable from many addresses.
	CodeMaxFailuresPerNumber = 20
	// LinkMaxFailures unknown or expired /m/ links opened from one IP lock
	// that IP out of /m/ for LinkLockout; it keeps guessers from filling
	// the audit log (the tokens themselves cannot be guessed).
	LinkMaxFailures = 30
	LinkLockout     = 15 * time.Minute
)

// maxThrottleKeys is when the throttles sweep out keys with no recent
// failures.
const maxThrottleKeys = 10000

// throttle counts failures per key in a sliding window. With a store, every
// failure is also written there (before the answer) and loaded at start,
// so a lock-out survives a restart.
type throttle struct {
	mu     sync.Mutex
	clock  aw.Clock
	max    int
	window time.Duration
	fails  map[string][]time.Time

	kind  string
	store aw.FailureStore // nil: in memory only
	log   *slog.Logger
}

func newThrottle(clock aw.Clock, max int, window time.Duration) *throttle {
	return &throttle{clock: clock, max: max, window: window, fails: map[string][]time.Time{}}
}

// persist makes t keep its failures in store under kind and loads the ones
// still inside the window.
func (t *throttle) persist(ctx context.Context, store aw.FailureStore, kind string, log *slog.Logger) error {
	fails, err := store.Failures(ctx, kind, t.clock.Now().Add(-t.window))
	if err != nil {
		return err
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	t.store, t.kind, t.log, t.fails = store, kind, log, fails
	return nil
}

// recent drops failures older than the window; the caller holds mu.
func (t *throttle) recent(key string, now time.Time) []time.Time {
	var keep []time.Time
	for _, f := range t.fails[key] {
		if now.Sub(f) < t.window {
			keep = append(keep, f)
		}
	}
	if len(keep) == 0 {
		delete(t.fails, key)
	} else {
		t.fails[key] = keep
	}
	return keep
}

// wait returns how long key must still wait; 0 when it may try.
func (t *throttle) wait(key string) time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.clock.Now()
	f := t.recent(key, now)
	if len(f) < t.max {
		return 0
	}
	return t.window - now.Sub(f[len(f)-1])
}

// fail records a failure of key.
func (t *throttle) fail(ctx context.Context, key string) {
	t.mu.Lock()
	now := t.clock.Now()
	if len(t.fails) >= maxThrottleKeys {
		for k := range t.fails {
			t.recent(k, now)
		}
	}
	t.fails[key] = append(t.recent(key, now), now)
	store := t.store
	t.mu.Unlock()
	if store != nil {
		if err := store.AddFailure(context.WithoutCancel(ctx), t.kind, key, now, t.window); err != nil {
			t.log.Error("storing a failed attempt failed; it counts until a restart", "kind", t.kind, "err", err)
		}
	}
}

// reset forgets the failures of key.
func (t *throttle) reset(ctx context.Context, key string) {
	t.mu.Lock()
	_, had := t.fails[key]
	delete(t.fails, key)
	store := t.store
	t.mu.Unlock()
	if store != nil && had {
		if err := store.ResetFailures(context.WithoutCancel(ctx), t.kind, key); err != nil {
			t.log.Error("forgetting failed attempts failed", "kind", t.kind, "err", err)
		}
	}
}
