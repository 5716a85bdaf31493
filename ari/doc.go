// Package ari places the appliance's alarm calls through Asterisk's REST
// interface (ARI): natively over HTTP and a websocket, or through ari-proxy
// over NATS when several Asterisk boxes are used.
//
// It implements alleenwerken.Telephony. The package guards against the
// defects of github.com/CyCoreSystems/ari/v5 v5.3.1 (see
// ../shared/notes/ari.md): it reads ARI events itself and ignores event types
// it does not need (the library's bus panics on unknown types), it connects in
// the background with a timeout and backoff (native.Connect blocks forever),
// it watches the connection with Asterisk().Info, it times out every request,
// and after a reconnect it hangs up channels of calls it lost.
package ari
