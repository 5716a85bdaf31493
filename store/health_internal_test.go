package store

import (
	"context"
	"errors"
	"testing"

	aw "alleenwerken"
)

// TestHealth_WriteFailure checks that a failed commit turns health down and
// the next successful write clears it. A real I/O error cannot be provoked
// portably, so the failure is fed in where update would report it.
func TestHealth_WriteFailure(t *testing.T) {
	db, err := Open(t.TempDir()+"/aw.db", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()

	err = db.writeFailed(errors.New("write /var/lib/alleenwerken/aw.db: input/output error"))
	if got, want := aw.ErrorCode(err), aw.EUNAVAILABLE; got != want {
		t.Fatalf("code %q, want %q", got, want)
	}
	if h := db.Health(); h.State != aw.HealthDown || h.Reason == "" {
		t.Fatalf("health %+v, want down", h)
	}
	if err := db.EnqueueSMS(context.Background(), &aw.SMS{Kind: aw.SMSAdmin}); err != nil {
		t.Fatal(err)
	}
	if h := db.Health(); h.State != aw.HealthOK {
		t.Fatalf("health %+v after a good write, want ok", h)
	}
}
