// Package alleenwerken is the domain of the Alleen Werken lone-worker alarm
// appliance: sessions with durable timers, alarms escalated through a ladder of
// phone calls, SMS through an outbox, and the interfaces that the adapters in
// store/, ari/, gsm/ and httpapi/ implement.
//
// The package imports only the standard library and a phone-number library.
// Wiring lives in cmd/.
package alleenwerken
