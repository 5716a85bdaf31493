package ari_test

import (
	"context"
	"maps"
	"sync"

	"alleenwerken"
)

// callLog is a Telephony that notes which calls have returned. A call
// returns once Asterisk reported its channel destroyed, but ARI's channel
// list can show that channel a moment longer: a test that counts live
// channels leaves out those whose call had returned before it asked.
type callLog struct {
	alleenwerken.Telephony
	mu   sync.Mutex
	done map[string]bool
}

func newCallLog(tel alleenwerken.Telephony) *callLog {
	return &callLog{Telephony: tel, done: map[string]bool{}}
}

// Call places the call and notes its id once it has returned.
func (c *callLog) Call(ctx context.Context, req alleenwerken.CallRequest, p alleenwerken.CallProgress) (alleenwerken.CallResult, error) {
	res, err := c.Telephony.Call(ctx, req, p)
	c.mu.Lock()
	c.done[req.ID] = true
	c.mu.Unlock()
	return res, err
}

// ended returns the ids of the calls that have returned so far.
func (c *callLog) ended() map[string]bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return maps.Clone(c.done)
}
