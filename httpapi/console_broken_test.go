package httpapi_test

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	aw "alleenwerken"
	"alleenwerken/store"
)

// brokenStore is the store under the console's services, with reads that
// fail while broken is set, as on a failing disk.
type brokenStore struct {
	*store.DB
	broken atomic.Bool
}

var errDisk = aw.Errorf(aw.EINTERNAL, "bbolt: input/output error at page 4711")

func (b *brokenStore) fail() error {
	if b.broken.Load() {
		return errDisk
	}
	return nil
}

func (b *brokenStore) Alarms(ctx context.Context, limit int) ([]*aw.Alarm, error) {
	if err := b.fail(); err != nil {
		return nil, err
	}
	return b.DB.Alarms(ctx, limit)
}

func (b *brokenStore) OpenAlarms(ctx context.Context) ([]*aw.Alarm, error) {
	if err := b.fail(); err != nil {
		return nil, err
	}
	return b.DB.OpenAlarms(ctx)
}

func (b *brokenStore) AlarmByNumber(ctx context.Context, n int) (*aw.Alarm, error) {
	if err := b.fail(); err != nil {
		return nil, err
	}
	return b.DB.AlarmByNumber(ctx, n)
}

func (b *brokenStore) Settings(ctx context.Context) (aw.Settings, error) {
	if err := b.fail(); err != nil {
		return aw.Settings{}, err
	}
	return b.DB.Settings(ctx)
}

func (b *brokenStore) Installation(ctx context.Context) (aw.Installation, error) {
	if err := b.fail(); err != nil {
		return aw.Installation{}, err
	}
	return b.DB.Installation(ctx)
}

func (b *brokenStore) AuditEntries(ctx context.Context, limit int) ([]*aw.AuditEntry, error) {
	if err := b.fail(); err != nil {
		return nil, err
	}
	return b.DB.AuditEntries(ctx, limit)
}

func (b *brokenStore) Users(ctx context.Context) ([]*aw.User, error) {
	if err := b.fail(); err != nil {
		return nil, err
	}
	return b.DB.Users(ctx)
}

func (b *brokenStore) Devices(ctx context.Context) ([]*aw.Device, error) {
	if err := b.fail(); err != nil {
		return nil, err
	}
	return b.DB.Devices(ctx)
}

func (b *brokenStore) ListSMS(ctx context.Context, limit int) ([]*aw.SMS, error) {
	if err := b.fail(); err != nil {
		return nil, err
	}
	return b.DB.ListSMS(ctx, limit)
}

// When the disk fails under the console, every page says so in plain
// words with a 500 (the health page shows the cause), shows nothing of the
// internal error, and the console keeps serving once the disk is back.
func TestConsoleStorageFails(t *testing.T) {
	e := MustOpenConsoleEnv(t)
	c := e.NewClient()
	c.Login(superName)
	a := e.RaiseAlarm()
	pages := []string{"/console", "/console/alarms", "/console/audit", "/console/users", "/console/settings",
		"/console/installation", "/console/health", "/console/alarms/" + strconv.Itoa(a.Number)}
	e.Broken.broken.Store(true)
	for _, p := range pages {
		pg := c.Get(p)
		if pg.Status != http.StatusInternalServerError && pg.Status != http.StatusOK {
			t.Errorf("%s with the disk failing: status %d", p, pg.Status)
		}
		// The health page is where an installer looks for the cause: it
		// names the failing part with the error; the other pages do not.
		if leaks := strings.Contains(pg.Body, "4711"); leaks != (p == "/console/health") {
			t.Errorf("%s shows the internal error: %v", p, leaks)
		}
	}
	if pg := c.Get("/console/audit"); pg.Status != http.StatusInternalServerError || !strings.Contains(pg.Body, "Er ging intern iets mis") {
		t.Fatalf("audit page with the disk failing: %d %s", pg.Status, pg.Body)
	}
	e.Broken.broken.Store(false)
	for _, p := range pages {
		if pg := c.Get(p); pg.Status != http.StatusOK {
			t.Errorf("%s after the disk is back: status %d", p, pg.Status)
		}
	}
}
