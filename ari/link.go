package ari

import (
	"context"
	"encoding/base64"
	"fmt"
	"sync"

	"github.com/CyCoreSystems/ari/v5"
	"github.com/CyCoreSystems/ari/v5/client/native"
	"golang.org/x/net/websocket"
)

// link is one live connection to Asterisk: requests through an ari.Client,
// events through the adapter's own reader. lost is closed when the event
// stream ends; a new link is made after that.
type link struct {
	ari      ari.Client
	version  string
	entityID string
	lost     chan struct{}

	once    sync.Once
	err     error
	closeFn func()
}

// fail records why the link ended and closes lost (once).
func (l *link) fail(err error) {
	l.once.Do(func() {
		l.err = err
		close(l.lost)
	})
}

// close ends the link and its event stream.
func (l *link) close() {
	l.fail(fmt.Errorf("verbinding gesloten"))
	if l.closeFn != nil {
		l.closeFn()
	}
}

// dialNative connects straight to ARI: the event websocket for the Stasis
// application (read by the adapter itself, never by ari/v5's bus, which
// panics on unknown event types) and a native ari/v5 client for requests.
func dialNative(ctx context.Context, cfg Config, onEvent func(*link, []byte)) (*link, error) {
	wcfg, err := websocket.NewConfig(cfg.websocketURL(), "http://localhost")
	if err != nil {
		return nil, err
	}
	auth := base64.StdEncoding.EncodeToString([]byte(cfg.Username + ":" + cfg.Password))
	wcfg.Header.Set("Authorization", "Basic "+auth)
	ws, err := wcfg.DialContext(ctx)
	if err != nil {
		return nil, fmt.Errorf("websocket: %w", err)
	}
	cl := native.New(&native.Options{
		Application:  cfg.App,
		URL:          cfg.URL,
		WebsocketURL: cfg.websocketURL(),
		Username:     cfg.Username,
		Password:     cfg.Password,
	})
	l := &link{ari: cl, lost: make(chan struct{}), closeFn: func() { _ = ws.Close() }}
	info, err := asteriskInfo(ctx, cl)
	if err != nil {
		_ = ws.Close()
		return nil, err
	}
	l.version, l.entityID = info.SystemInfo.Version, info.SystemInfo.EntityID
	go func() {
		for {
			var data []byte
			if err := websocket.Message.Receive(ws, &data); err != nil {
				l.fail(fmt.Errorf("websocket: %w", err))
				return
			}
			onEvent(l, data)
		}
	}()
	return l, nil
}

// asteriskInfo asks Asterisk who it is, bounded by ctx.
func asteriskInfo(ctx context.Context, cl ari.Client) (*ari.AsteriskInfo, error) {
	info, err := withinValue(ctx, func() (*ari.AsteriskInfo, error) { return cl.Asterisk().Info(nil) })
	if err != nil {
		return nil, fmt.Errorf("asterisk info: %w", err)
	}
	return info, nil
}

// within runs a blocking library call and gives up when ctx ends. ari/v5's
// HTTP client has no timeout, so a hung Asterisk would otherwise hang the
// call for ever; the abandoned request finishes in the background.
func within(ctx context.Context, fn func() error) error {
	_, err := withinValue(ctx, func() (struct{}, error) { return struct{}{}, fn() })
	return err
}

// withinValue is within for a call that returns a value.
func withinValue[T any](ctx context.Context, fn func() (T, error)) (T, error) {
	type result struct {
		v   T
		err error
	}
	done := make(chan result, 1)
	go func() {
		v, err := fn()
		done <- result{v, err}
	}()
	select {
	case r := <-done:
		return r.v, r.err
	case <-ctx.Done():
		var zero T
		return zero, fmt.Errorf("geen antwoord van Asterisk: %w", ctx.Err())
	}
}
