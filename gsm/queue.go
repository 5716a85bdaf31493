package gsm

import (
	"context"
	"time"

	aw "alleenwerken"
)

// Queue is the outbox as the console shows it.
type Queue struct {
	Queued       map[aw.SMSKind]int `json:"queued"`  // queued messages by kind
	Sending      int                `json:"sending"` // claimed by a modem right now
	OldestQueued *aw.SMS            `json:"oldest_queued,omitempty"`
}

// QueueStats counts the outbox's queued messages by kind and finds the oldest.
// It reads the whole outbox: meant for the console, not a hot path.
func QueueStats(ctx context.Context, outbox aw.Outbox) (Queue, error) {
	all, err := outbox.ListSMS(ctx, 0)
	if err != nil {
		return Queue{}, err
	}
	q := Queue{Queued: map[aw.SMSKind]int{}}
	var oldest time.Time
	for _, m := range all {
		switch m.State {
		case aw.SMSQueued:
			q.Queued[m.Kind]++
			if q.OldestQueued == nil || m.CreatedAt.Before(oldest) {
				q.OldestQueued, oldest = m, m.CreatedAt
			}
		case aw.SMSSending:
			q.Sending++
		}
	}
	return q, nil
}
