package ari

import (
	"context"
	"errors"

	"github.com/CyCoreSystems/ari/v5"

	aw "alleenwerken"
)

var _ aw.EndpointStater = (*Telephony)(nil)

// ErrNotConnected is returned when Asterisk cannot be asked right now.
var ErrNotConnected = errors.New("ari: not connected to Asterisk")

// EndpointState returns a PJSIP endpoint's state as Asterisk reports it
// over ARI: "online" (registered and answering its qualify), "offline" or
// "unknown".
func (t *Telephony) EndpointState(ctx context.Context, name string) (string, error) {
	l := t.currentLink()
	if l == nil {
		return "", ErrNotConnected
	}
	rctx, cancel := context.WithTimeout(ctx, t.cfg.RequestTimeout)
	defer cancel()
	d, err := withinValue(rctx, func() (*ari.EndpointData, error) {
		return l.ari.Endpoint().Data(ari.NewEndpointKey("PJSIP", name))
	})
	if err != nil {
		return "", err
	}
	if d == nil || d.State == "" {
		return "unknown", nil
	}
	return d.State, nil
}
