package alleenwerken_test

import (
	"bytes"
	"errors"
	"log/slog"
	"strings"
	"testing"

	aw "alleenwerken"
)

func TestRedact(t *testing.T) {
	for in, want := range map[string]string{
		"nats://user:secret@10.0.0.5:4222":                     "nats://10.0.0.5:4222",
		"ari-proxy op nats://u:p%40ss@host:4222/x?y=1":         "ari-proxy op nats://host:4222/x?y=1",
		"http://alleenwerken:geheim@127.0.0.1:8088/ari failed": "http://127.0.0.1:8088/ari failed",
		"dial tls://a:b@h:1: refused; nats://c@d:2":            "dial tls://h:1: refused; nats://d:2",
		"no url here, mail a@b.nl":                             "no url here, mail a@b.nl",
		"http://127.0.0.1:8088/ari":                            "http://127.0.0.1:8088/ari",
	} {
		if got := aw.Redact(in); got != want {
			t.Errorf("Redact(%q) = %q, want %q", in, got, want)
		}
	}
}

// No log line shows a password in an address, in the message or in any
// attribute, however it was passed.
func TestRedactingHandler(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(aw.RedactingHandler{Next: slog.NewTextHandler(&buf, nil)}).With("base", "nats://a:s3cret1@h:1")
	log.Warn("connect nats://b:s3cret2@h:2 failed", "err", errors.New("dial nats://c:s3cret3@h:3"),
		"url", "nats://d:s3cret4@h:4", slog.Group("g", "u", "nats://e:s3cret5@h:5"), "list", []string{"nats://f:s3cret6@h:6"})
	out := buf.String()
	if strings.Contains(out, "s3cret") {
		t.Fatalf("a password in the log: %s", out)
	}
	for _, host := range []string{"h:1", "h:2", "h:3", "h:4", "h:5", "h:6"} {
		if !strings.Contains(out, "nats://"+host) {
			t.Fatalf("address %s lost: %s", host, out)
		}
	}
}
