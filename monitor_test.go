package alleenwerken_test

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	aw "alleenwerken"
	"alleenwerken/cmd/testkit"
)

func TestMonitorTellsAdminsOncePerOutage(t *testing.T) {
	db := testkit.MustOpenDB(t)
	set := aw.DefaultSettings()
	set.AdminNumbers = []string{"0612000099"}
	db.SaveSettings(context.Background(), set)
	clock := aw.NewManualClock(t0)
	tel := testkit.NewTelephony(nil)
	m := &aw.Monitor{Parts: map[string]aw.HealthReporter{"telefonie": tel}, Store: db, Clock: clock,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	ctx := context.Background()
	check := func(d time.Duration) int {
		clock.Advance(d)
		m.Check(ctx)
		return len(smsOfDB(t, db))
	}
	tel.SetDown(true)
	if n := check(0); n != 0 {
		t.Fatalf("SMS at once: %d", n)
	}
	if n := check(4 * time.Minute); n != 0 {
		t.Fatalf("SMS after 4 min: %d", n)
	}
	if n := check(time.Minute); n != 1 {
		t.Fatalf("SMS after 5 min: %d", n)
	}
	if msg := smsOfDB(t, db)[0]; msg.To != admn || msg.Text != "Alleen Werken: telefonie werkt niet sinds 15:00: test: down" {
		t.Fatalf("SMS = %+v", msg)
	}
	if n := check(time.Hour); n != 1 {
		t.Fatalf("told twice: %d", n)
	}
	tel.SetDown(false)
	check(time.Minute)
	tel.SetDown(true)
	check(time.Minute)
	if n := check(5 * time.Minute); n != 2 || !strings.Contains(smsOfDB(t, db)[0].Text, "sinds 16:07") {
		t.Fatalf("second outage: %d %v", n, smsOfDB(t, db)[0].Text)
	}
}

func smsOfDB(t *testing.T, db interface {
	ListSMS(context.Context, int) ([]*aw.SMS, error)
}) []*aw.SMS {
	t.Helper()
	all, err := db.ListSMS(context.Background(), 0)
	if err != nil {
		t.Fatal(err)
	}
	return all
}
