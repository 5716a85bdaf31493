package ari

import (
	"context"
	"fmt"
	"time"

	"github.com/CyCoreSystems/ari-proxy/v5/client"
	"github.com/nats-io/nats.go"
)

// dialProxy connects through ari-proxy over NATS. Events are read from the
// proxy's event subject on the adapter's own NATS connection, with its own
// decoder (no library subscription buffers that deadlock on cancel), and that
// connection retries for ever. Requests go through the ari-proxy client on a
// connection of its own: client.WithNATS leaves the request timeout at zero
// in v5.3.1 (every request times out at once), so the client dials by URI;
// should its connection give up, the watchdog ends the link and a new client
// is made.
func dialProxy(ctx context.Context, cfg Config, onEvent func(*link, []byte)) (*link, error) {
	l := &link{lost: make(chan struct{})}
	nc, err := nats.Connect(cfg.NATSURL,
		nats.Name("alleenwerken"),
		nats.MaxReconnects(-1),
		nats.Timeout(cfg.ConnectTimeout),
		nats.DisconnectErrHandler(func(_ *nats.Conn, err error) {
			// Events sent while disconnected are lost: start afresh.
			l.fail(fmt.Errorf("NATS verbroken: %v", err))
		}),
		nats.ClosedHandler(func(*nats.Conn) { l.fail(fmt.Errorf("NATS gesloten")) }),
	)
	if err != nil {
		return nil, fmt.Errorf("NATS: %w", err)
	}
	subject := fmt.Sprintf("%sevent.%s.>", cfg.ProxyPrefix, cfg.App)
	sub, err := nc.Subscribe(subject, func(m *nats.Msg) { onEvent(l, m.Data) })
	if err != nil {
		nc.Close()
		return nil, err
	}
	cctx, cancel := context.WithCancel(context.Background())
	cl, err := withinValue(ctx, func() (*client.Client, error) {
		return client.New(cctx, client.WithApplication(cfg.App), client.WithURI(cfg.NATSURL),
			client.WithTimeoutRetries(1), client.WithPrefix(cfg.ProxyPrefix))
	})
	if err != nil {
		cancel()
		nc.Close()
		return nil, fmt.Errorf("ari-proxy: %w", err)
	}
	l.ari = cl
	l.closeFn = func() {
		_ = sub.Unsubscribe()
		// Cancelling the client's context closes it; calling Close as well
		// races with the library's own closing goroutine.
		cancel()
		nc.Close()
	}
	// Requests go to the Asterisk nodes the client has heard announce
	// themselves; with none known yet every request fails with "no data".
	for !cl.Connected() {
		select {
		case <-ctx.Done():
			l.close()
			return nil, fmt.Errorf("geen ari-proxy voor applicatie %q gevonden: %w", cfg.App, ctx.Err())
		case <-time.After(20 * time.Millisecond):
		}
	}
	info, err := asteriskInfo(ctx, cl)
	if err != nil {
		l.close()
		return nil, err
	}
	l.version, l.entityID = info.SystemInfo.Version, info.SystemInfo.EntityID
	return l, nil
}
