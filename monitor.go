package alleenwerken

import (
	"context"
	"fmt"
	"log/slog"
	"sort"
	"time"
)

// Monitor watches the health of the appliance's parts and tells the admin
// numbers by SMS when a part has been down for longer than Grace (copy.md:
// "telefonie werkt niet sinds 14:05: <reden>"). It says so once per outage.
type Monitor struct {
	Parts    map[string]HealthReporter // "telefonie", "sms", "opslag"
	Store    Store
	Clock    Clock
	Logger   *slog.Logger
	Interval time.Duration // how often to look (default 30 s)
	Grace    time.Duration // how long a part may be down before admins hear (default 5 min)
	Notify   func()        // wakes the SMS dispatcher

	downSince map[string]time.Time
	told      map[string]bool
}

// Run checks the parts until ctx is done.
func (m *Monitor) Run(ctx context.Context) {
	if m.Interval == 0 {
		m.Interval = 30 * time.Second
	}
	for {
		m.Check(ctx)
		t := m.Clock.NewTimer(m.Interval)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C():
		}
	}
}

// Check looks at every part once.
func (m *Monitor) Check(ctx context.Context) {
	if m.downSince == nil {
		m.downSince, m.told = map[string]time.Time{}, map[string]bool{}
	}
	if m.Grace == 0 {
		m.Grace = 5 * time.Minute
	}
	now := m.Clock.Now()
	names := make([]string, 0, len(m.Parts))
	for n := range m.Parts {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, name := range names {
		h := m.Parts[name].Health()
		if h.State != HealthDown {
			if m.told[name] {
				m.Logger.Info("part works again", "part", name)
			}
			delete(m.downSince, name)
			delete(m.told, name)
			continue
		}
		since, ok := m.downSince[name]
		if !ok {
			m.downSince[name] = now
			m.Logger.Warn("part is down", "part", name, "reason", h.Reason)
			continue
		}
		if m.told[name] || now.Sub(since) < m.Grace {
			continue
		}
		m.told[name] = true
		m.tell(ctx, name, since, h.Reason)
	}
}

func (m *Monitor) tell(ctx context.Context, name string, since time.Time, reason string) {
	set, err := m.Store.Settings(ctx)
	if err != nil {
		set = DefaultSettings()
	}
	text := fmt.Sprintf("Alleen Werken: %s werkt niet sinds %s: %s", name, since.In(set.Location()).Format("15:04"), Redact(reason))
	m.Logger.Error("part down for too long; telling the admins", "part", name, "since", since, "reason", reason)
	for _, n := range set.AdminNumbers {
		msg := &SMS{Kind: SMSAdmin, To: n, Text: text, CreatedAt: m.Clock.Now()}
		if err := m.Store.EnqueueSMS(ctx, msg); err != nil {
			m.Logger.Error("queueing the admin SMS failed", "part", name, "err", err)
		}
	}
	if m.Notify != nil {
		m.Notify()
	}
}
