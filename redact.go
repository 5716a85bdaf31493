package alleenwerken

import (
	"context"
	"log/slog"
	"regexp"
)

// userInfo matches the user and password of a URL: "scheme://user:pw@".
var userInfo = regexp.MustCompile(`([A-Za-z][A-Za-z0-9+.\-]*://)[^/?#@\s]*@`)

// Redact removes the user information (user and password) from every URL
// in s: "nats://user:secret@host:4222" reads "nats://host:4222". Every
// text that is shown (a health reason, a log line, an SMS, an audit entry,
// a page) and may hold a configured address goes through it.
func Redact(s string) string { return userInfo.ReplaceAllString(s, "$1") }

// RedactingHandler is a slog.Handler that passes every record to next with
// the URLs' user information removed from its message and every string,
// error and stringer value: no log line shows a password in an address,
// wherever the address came from (an error of a library, a config value).
type RedactingHandler struct{ Next slog.Handler }

// Enabled reports whether next handles level.
func (h RedactingHandler) Enabled(ctx context.Context, l slog.Level) bool {
	return h.Next.Enabled(ctx, l)
}

// Handle redacts r and passes it on.
func (h RedactingHandler) Handle(ctx context.Context, r slog.Record) error {
	out := slog.NewRecord(r.Time, r.Level, Redact(r.Message), r.PC)
	r.Attrs(func(a slog.Attr) bool {
		out.AddAttrs(redactAttr(a))
		return true
	})
	return h.Next.Handle(ctx, out)
}

// WithAttrs returns a handler with the attributes redacted.
func (h RedactingHandler) WithAttrs(as []slog.Attr) slog.Handler {
	red := make([]slog.Attr, len(as))
	for i, a := range as {
		red[i] = redactAttr(a)
	}
	return RedactingHandler{Next: h.Next.WithAttrs(red)}
}

// WithGroup returns a handler for the group.
func (h RedactingHandler) WithGroup(name string) slog.Handler {
	return RedactingHandler{Next: h.Next.WithGroup(name)}
}

func redactAttr(a slog.Attr) slog.Attr {
	v := a.Value.Resolve()
	switch v.Kind() {
	case slog.KindString:
		return slog.String(a.Key, Redact(v.String()))
	case slog.KindGroup:
		as := v.Group()
		red := make([]any, len(as))
		for i, x := range as {
			red[i] = redactAttr(x)
		}
		return slog.Group(a.Key, red...)
	case slog.KindAny:
		switch x := v.Any().(type) {
		case error:
			return slog.String(a.Key, Redact(x.Error()))
		case interface{ String() string }:
			return slog.String(a.Key, Redact(x.String()))
		case []string:
			red := make([]string, len(x))
			for i, s := range x {
				red[i] = Redact(s)
			}
			return slog.Any(a.Key, red)
		}
	}
	return slog.Attr{Key: a.Key, Value: v}
}
