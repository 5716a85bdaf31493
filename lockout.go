package alleenwerken

import (
	"context"
	"fmt"
	"log/slog"
	"math"
	"sync"
	"time"
)

// maxLockoutKeys is when a lock-out sweeps out keys with no recent
// failures.
const maxLockoutKeys = 10000

// lockout counts failures per key in a sliding window; max failures inside
// the window lock the key until the window has passed since the last of
// them. With a store, every failure is also written there (before the
// answer) and loaded at start, so a lock-out survives a restart.
type lockout struct {
	mu     sync.Mutex
	clock  Clock
	max    int
	window time.Duration
	fails  map[string][]time.Time

	kind  string
	store FailureStore // nil: in memory only
	log   *slog.Logger
}

// newLockout returns a lock-out kept in memory only.
func newLockout(clock Clock, max int, window time.Duration) *lockout {
	return &lockout{clock: clock, max: max, window: window, fails: map[string][]time.Time{}}
}

// persist makes t keep its failures in store under kind and loads the ones
// still inside the window.
func (t *lockout) persist(ctx context.Context, store FailureStore, kind string, log *slog.Logger) error {
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
func (t *lockout) recent(key string, now time.Time) []time.Time {
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
func (t *lockout) wait(key string) time.Duration {
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
func (t *lockout) fail(ctx context.Context, key string) {
	t.mu.Lock()
	now := t.clock.Now()
	if len(t.fails) >= maxLockoutKeys {
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
func (t *lockout) reset(ctx context.Context, key string) {
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

// errLockedOut refuses an attempt for wait.
func errLockedOut(wait time.Duration) error {
	return &Error{Code: ETOOMANY, Wait: wait,
		Message: fmt.Sprintf("Te veel mislukte pogingen. Probeer het over %d minuten opnieuw.", int(math.Ceil(wait.Minutes())))}
}

// waitAny returns the longest wait of keys; 0 when none is locked.
func (t *lockout) waitAny(keys ...string) time.Duration {
	var w time.Duration
	for _, k := range keys {
		w = max(w, t.wait(k))
	}
	return w
}
