package alleenwerken

import (
	"context"
	"fmt"
	"log/slog"
	"math"
	"slices"
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

// try is a guess counted before it is evaluated (reserve): a failure put
// down for each of its keys, which stays when the guess was wrong (fail)
// and is taken back when it was right (pass).
type try struct {
	lock   *lockout
	keys   []string
	at     time.Time
	locks  bool        // this try's failure locks one of its keys
	before []time.Time // the first key's failures inside the window before this try
}

// reserve counts a try of every key before it is evaluated, in one step,
// so that guesses sent in parallel cannot all pass a check made before
// the earlier ones were counted. ETOOMANY, with the longest wait, when one
// of keys is locked; then nothing is counted.
func (t *lockout) reserve(keys ...string) (*try, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.clock.Now()
	if len(t.fails) >= maxLockoutKeys {
		for k := range t.fails {
			t.recent(k, now)
		}
	}
	var wait time.Duration
	for _, k := range keys {
		if f := t.recent(k, now); len(f) >= t.max {
			wait = max(wait, t.window-now.Sub(f[len(f)-1]))
		}
	}
	if wait > 0 {
		return nil, errLockedOut(wait)
	}
	r := &try{lock: t, keys: keys, at: now}
	if len(keys) > 0 {
		r.before = slices.Clone(t.fails[keys[0]])
	}
	for _, k := range keys {
		t.fails[k] = append(t.fails[k], now)
		r.locks = r.locks || len(t.fails[k]) == t.max
	}
	return r, nil
}

// fail keeps the try's failures and stores them (before the answer), so
// that they count after a restart too.
func (r *try) fail(ctx context.Context) {
	t := r.lock
	t.mu.Lock()
	store := t.store
	t.mu.Unlock()
	if store == nil {
		return
	}
	for _, k := range r.keys {
		if err := store.AddFailure(context.WithoutCancel(ctx), t.kind, k, r.at, t.window); err != nil {
			t.log.Error("storing a failed attempt failed; it counts until a restart", "kind", t.kind, "err", err)
		}
	}
}

// pass takes the try's failures back: the guess was right, or it was not
// evaluated.
func (r *try) pass() {
	t := r.lock
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, k := range r.keys {
		f := t.fails[k]
		for i := len(f) - 1; i >= 0; i-- {
			if f[i].Equal(r.at) {
				f = append(f[:i], f[i+1:]...)
				break
			}
		}
		if len(f) == 0 {
			delete(t.fails, k)
		} else {
			t.fails[k] = f
		}
	}
}
