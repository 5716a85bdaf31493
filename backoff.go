package alleenwerken

import "time"

// Backoff is the wait before try n+1 after n failures in a row: first,
// doubling with each failure, at most limit. It serves the ladder (a call
// that could not be placed) and the SMS outbox (a send that failed).
func Backoff(failures int, first, limit time.Duration) time.Duration {
	d := first
	for i := 1; i < failures && d < limit; i++ {
		d *= 2
	}
	return min(d, limit)
}
