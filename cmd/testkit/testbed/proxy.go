package testbed

import (
	"context"
	"testing"
	"time"

	proxyserver "github.com/CyCoreSystems/ari-proxy/v5/server"
	"github.com/CyCoreSystems/ari/v5/client/native"
	natsserver "github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
)

// StartProxy starts an embedded NATS server and the ari-proxy server
// package in this process against the test bed's Asterisk for the Stasis
// application app, and returns the NATS URL for the adapter.
func StartProxy(tb testing.TB, app string) string {
	tb.Helper()
	ns, err := natsserver.NewServer(&natsserver.Options{Host: "127.0.0.1", Port: -1, NoLog: true, NoSigs: true})
	if err != nil {
		tb.Fatal(err)
	}
	go ns.Start()
	tb.Cleanup(ns.Shutdown)
	if !ns.ReadyForConnections(5 * time.Second) {
		tb.Fatal("NATS not ready")
	}

	// The proxy server: a native client for the test bed's Asterisk. Its
	// context is never cancelled: ari-proxy panics when its shutdown takes
	// over 500 ms; it ends with the test binary.
	cl, err := native.Connect(&native.Options{
		Application: app, URL: URL, WebsocketURL: "ws://127.0.0.1:8088/ari/events",
		Username: User, Password: Password,
	})
	if err != nil {
		tb.Fatal(err)
	}
	nc, err := nats.Connect(ns.ClientURL())
	if err != nil {
		tb.Fatal(err)
	}
	enc, err := nats.NewEncodedConn(nc, nats.JSON_ENCODER) //nolint:staticcheck // ari-proxy v5 needs an EncodedConn
	if err != nil {
		tb.Fatal(err)
	}
	srv := proxyserver.New()
	go func() {
		if err := srv.ListenOn(context.Background(), cl, enc); err != nil {
			tb.Logf("proxy server: %v", err)
		}
	}()
	select {
	case <-srv.Ready():
	case <-time.After(5 * time.Second):
		tb.Fatal("proxy server not ready")
	}
	return ns.ClientURL()
}
