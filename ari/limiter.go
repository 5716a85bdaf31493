package ari

import (
	"context"
	"sync"
)

// limiter bounds the number of simultaneous calls; its size can change while
// calls run (the setting is read afresh). Waiting calls take free slots in
// the order they arrived.
type limiter struct {
	mu      sync.Mutex
	size    int
	used    int
	waiting []chan struct{}
}

func newLimiter(size int) *limiter { return &limiter{size: max(size, 1)} }

// acquire takes a slot, waiting until one is free or ctx ends.
func (l *limiter) acquire(ctx context.Context) error {
	l.mu.Lock()
	if l.used < l.size && len(l.waiting) == 0 {
		l.used++
		l.mu.Unlock()
		return nil
	}
	ch := make(chan struct{})
	l.waiting = append(l.waiting, ch)
	l.mu.Unlock()
	select {
	case <-ch:
		return nil
	case <-ctx.Done():
		l.mu.Lock()
		defer l.mu.Unlock()
		for i, w := range l.waiting {
			if w == ch {
				l.waiting = append(l.waiting[:i], l.waiting[i+1:]...)
				return ctx.Err()
			}
		}
		// The slot was handed over just now: give it back.
		l.used--
		l.grant()
		return ctx.Err()
	}
}

// release frees a slot.
func (l *limiter) release() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.used--
	l.grant()
}

// resize changes the number of slots.
func (l *limiter) resize(n int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.size = max(n, 1)
	l.grant()
}

// grant hands free slots to waiters; l.mu is held.
func (l *limiter) grant() {
	for l.used < l.size && len(l.waiting) > 0 {
		l.used++
		close(l.waiting[0])
		l.waiting = l.waiting[1:]
	}
}

// inUse returns the number of slots taken.
func (l *limiter) inUse() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.used
}
