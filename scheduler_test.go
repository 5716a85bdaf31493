package alleenwerken_test

import (
	"context"
	"fmt"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	aw "alleenwerken"
)

func TestSchedulerOrderAndCancel(t *testing.T) {
	clock := aw.NewManualClock(t0)
	s := aw.NewScheduler(clock)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go s.Run(ctx)
	fired := make(chan string, 10)
	s.At("b", t0.Add(2*time.Second), func() { fired <- "b" })
	s.At("a", t0.Add(time.Second), func() { fired <- "a" })
	s.At("c", t0.Add(3*time.Second), func() { fired <- "c" })
	s.At("b", t0.Add(4*time.Second), func() { fired <- "b" }) // re-armed later
	s.Cancel("c")
	s.At("past", t0.Add(-time.Hour), func() { fired <- "past" })
	if got := <-fired; got != "past" {
		t.Fatalf("first = %s, want the timer that was already due", got)
	}
	for _, want := range []string{"a", "b"} {
		for {
			if due, ok := s.Armed(want); ok && due.After(clock.Now()) {
				break
			}
			time.Sleep(time.Millisecond)
		}
		clock.Advance(2 * time.Second)
		if got := <-fired; got != want {
			t.Fatalf("fired %s, want %s", got, want)
		}
	}
	clock.Advance(time.Hour)
	select {
	case got := <-fired:
		t.Fatalf("cancelled timer fired: %s", got)
	case <-time.After(50 * time.Millisecond):
	}
}

// BenchmarkSchedulerArm10k arms 10,000 session timers on the real clock and
// reports the memory they hold.
func BenchmarkSchedulerArm10k(b *testing.B) {
	var fired atomic.Int64
	for i := 0; i < b.N; i++ {
		s := aw.NewScheduler(aw.SystemClock{})
		ctx, cancel := context.WithCancel(context.Background())
		go s.Run(ctx)
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		now := time.Now()
		for j := 0; j < 10000; j++ {
			s.At(fmt.Sprintf("expire:%d", j), now.Add(time.Hour+time.Duration(j)*time.Millisecond), func() { fired.Add(1) })
		}
		runtime.GC()
		runtime.ReadMemStats(&after)
		b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/10000, "B/timer")
		cancel()
	}
}
