// Package testkit is the one kit of test scaffolding the packages' tests
// share: polling until a condition holds, a buffer safe for concurrent
// writes, a real store in a temporary directory, fakes of the ports the
// core talks to (a scripted telephony, a step-by-step telephony, an SMS
// sender, a settable health), and the harness for the real daemon binary
// (Build, Daemon with its admin commands, app API, health and log lines,
// a modem simulator on a pseudo-terminal). Its subpackage testbed is the
// handle on the Asterisk test bed.
//
// It is a normal package so that the tests of every package, the root's
// included, can import it; nothing outside tests should.
package testkit
