package ari

import "sync"

// queue is a call's unbounded event inbox: the dispatcher never blocks and
// never drops an event (ari/v5 drops silently after 100).
type queue struct {
	mu     sync.Mutex
	items  []event
	signal chan struct{}
}

func newQueue() *queue { return &queue{signal: make(chan struct{}, 1)} }

// push appends an event and wakes the reader.
func (q *queue) push(e event) {
	q.mu.Lock()
	q.items = append(q.items, e)
	q.mu.Unlock()
	select {
	case q.signal <- struct{}{}:
	default:
	}
}

// drain returns and removes every queued event.
func (q *queue) drain() []event {
	q.mu.Lock()
	defer q.mu.Unlock()
	items := q.items
	q.items = nil
	return items
}
