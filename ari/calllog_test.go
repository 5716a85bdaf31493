package ari_test

import (
	"context"
	"maps"
	"sync"

	aw "alleenwerken"
	"alleenwerken/cmd/testkit/testbed"
)

// callLog is a Telephony that notes which calls have returned. A call
// returns once Asterisk reported its channel destroyed, but ARI's channel
// list can show that channel a moment longer, long enough for the next call
// in the freed slot to appear beside it: a test that counts live channels
// leaves out those whose call had returned by the time the list arrived.
type callLog struct {
	aw.Telephony
	mu   sync.Mutex
	done map[string]bool
}

func newCallLog(tel aw.Telephony) *callLog {
	return &callLog{Telephony: tel, done: map[string]bool{}}
}

// Call places the call and notes its id once it has returned.
func (c *callLog) Call(ctx context.Context, req aw.CallRequest, p aw.CallProgress) (aw.CallResult, error) {
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

// liveChannels lists Asterisk's channels and counts those that ours accepts
// and whose call had not returned once the list had arrived. It does not
// fail the test: it runs in polling goroutines.
func (c *callLog) liveChannels(ours func(id string) bool) (int, error) {
	ids, err := testbed.ListChannels()
	if err != nil {
		return 0, err
	}
	gone := c.ended() // after the list: a returned call's channel may linger in it
	n := 0
	for _, id := range ids {
		if ours(id) && !gone[id] {
			n++
		}
	}
	return n, nil
}
