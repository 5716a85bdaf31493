package alleenwerken

import (
	"container/heap"
	"context"
	"sync"
	"time"
)

// Scheduler runs every timer of the appliance (reminders, expiries, cancel
// windows, ladder waits) on one goroutine. Deadlines are wall-clock times from
// the store; on arming they are turned into a due time on the clock's
// monotonic reading, so a wall-clock jump neither fires nor loses a timer. A
// deadline in the past fires at once.
type Scheduler struct {
	clock Clock
	mu    sync.Mutex
	byKey map[string]*schedEntry
	queue schedQueue
	wake  chan struct{}
	wg    sync.WaitGroup
}

type schedEntry struct {
	key   string
	due   time.Time
	fn    func()
	index int
}

// NewScheduler returns a scheduler on clock; call Run to start it.
func NewScheduler(clock Clock) *Scheduler {
	return &Scheduler{clock: clock, byKey: map[string]*schedEntry{}, wake: make(chan struct{}, 1)}
}

// At arms the timer key to call fn at the wall-clock time at, replacing a
// timer with the same key. fn runs on its own goroutine.
func (s *Scheduler) At(key string, at time.Time, fn func()) {
	now := s.clock.Now()
	due := now.Add(at.Sub(now)) // carries now's monotonic reading
	s.mu.Lock()
	if e, ok := s.byKey[key]; ok {
		heap.Remove(&s.queue, e.index)
	}
	e := &schedEntry{key: key, due: due, fn: fn}
	s.byKey[key] = e
	heap.Push(&s.queue, e)
	s.mu.Unlock()
	s.poke()
}

// Cancel disarms the timer key; unknown keys are ignored.
func (s *Scheduler) Cancel(key string) {
	s.mu.Lock()
	if e, ok := s.byKey[key]; ok {
		heap.Remove(&s.queue, e.index)
		delete(s.byKey, key)
	}
	s.mu.Unlock()
	s.poke()
}

// Armed reports whether the timer key is armed, and when it is due.
func (s *Scheduler) Armed(key string) (time.Time, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.byKey[key]
	if !ok {
		return time.Time{}, false
	}
	return e.due, true
}

// Len returns the number of armed timers.
func (s *Scheduler) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.queue)
}

func (s *Scheduler) poke() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// Run fires timers until ctx is done, then waits for running callbacks.
func (s *Scheduler) Run(ctx context.Context) {
	defer s.wg.Wait()
	for {
		s.mu.Lock()
		now := s.clock.Now()
		var due []*schedEntry
		for len(s.queue) > 0 && !s.queue[0].due.After(now) {
			e := heap.Pop(&s.queue).(*schedEntry)
			delete(s.byKey, e.key)
			due = append(due, e)
		}
		wait := time.Duration(-1)
		var next time.Time
		if len(s.queue) > 0 {
			next = s.queue[0].due
			wait = next.Sub(now)
		}
		s.mu.Unlock()

		for _, e := range due {
			s.wg.Add(1)
			go func(fn func()) {
				defer s.wg.Done()
				fn()
			}(e.fn)
		}
		if len(due) > 0 {
			continue
		}

		var timerC <-chan time.Time
		var t Timer
		if wait >= 0 {
			t = s.clock.NewTimer(wait)
			timerC = t.C()
			// The clock may have moved between reading it and arming the
			// timer (a manual clock in tests): look again.
			if !next.After(s.clock.Now()) {
				t.Stop()
				continue
			}
		}
		select {
		case <-ctx.Done():
			if t != nil {
				t.Stop()
			}
			return
		case <-s.wake:
		case <-timerC:
		}
		if t != nil {
			t.Stop()
		}
	}
}

type schedQueue []*schedEntry

func (q schedQueue) Len() int           { return len(q) }
func (q schedQueue) Less(i, j int) bool { return q[i].due.Before(q[j].due) }
func (q schedQueue) Swap(i, j int) {
	q[i], q[j] = q[j], q[i]
	q[i].index, q[j].index = i, j
}
func (q *schedQueue) Push(x any) {
	e := x.(*schedEntry)
	e.index = len(*q)
	*q = append(*q, e)
}
func (q *schedQueue) Pop() any {
	old := *q
	e := old[len(old)-1]
	*q = old[:len(old)-1]
	return e
}
