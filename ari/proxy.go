package ari

import (
	"context"
	"fmt"

	"github.com/CyCoreSystems/ari-proxy/v5/client"
	"github.com/nats-io/nats.go"
)

// dialProxy connects through ari-proxy over NATS. Events are read from the
// proxy's event subject with the adapter's own decoder (no library
// subscription buffers that deadlock on cancel); the NATS connection retries
// for ever (nats.go stops after about 2 minutes by default).
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
	enc, err := nats.NewEncodedConn(nc, nats.JSON_ENCODER) //nolint:staticcheck // ari-proxy v5 needs an EncodedConn
	if err != nil {
		nc.Close()
		return nil, err
	}
	subject := fmt.Sprintf("%sevent.%s.>", cfg.ProxyPrefix, cfg.App)
	sub, err := nc.Subscribe(subject, func(m *nats.Msg) { onEvent(l, m.Data) })
	if err != nil {
		nc.Close()
		return nil, err
	}
	cctx, cancel := context.WithCancel(context.Background())
	var cl *client.Client
	err = within(ctx, func() error {
		var err error
		cl, err = client.New(cctx, client.WithApplication(cfg.App), client.WithNATS(enc),
			client.WithPrefix(cfg.ProxyPrefix))
		return err
	})
	if err != nil {
		cancel()
		nc.Close()
		return nil, fmt.Errorf("ari-proxy: %w", err)
	}
	l.ari = cl
	l.closeFn = func() {
		_ = sub.Unsubscribe()
		cl.Close()
		cancel()
		nc.Close()
	}
	info, err := asteriskInfo(ctx, cl)
	if err != nil {
		l.close()
		return nil, err
	}
	l.version, l.entityID = info.SystemInfo.Version, info.SystemInfo.EntityID
	return l, nil
}
