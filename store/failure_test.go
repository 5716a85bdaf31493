package store_test

import (
	"context"
	"path/filepath"
	"reflect"
	"testing"
	"time"
)

// Failed attempts are kept per kind and key across a reopen; old ones are
// forgotten, a reset forgets a key.
func TestFailures(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "aw.db")
	db := MustOpenPath(t, path)
	at := func(min int) time.Time { return t0.Add(time.Duration(min) * time.Minute) }
	for _, f := range []struct {
		kind, key string
		min       int
	}{{"login", "user:beheer", 0}, {"login", "ip:10.8.0.7", 1}, {"login", "user:beheer", 2}, {"code", "ip:10.8.0.7", 3}, {"login", "user:hulp", 20}} {
		if err := db.AddFailure(ctx, f.kind, f.key, at(f.min), 15*time.Minute); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()
	db = MustOpenPath(t, path)
	// At minute 20 the login failures of minutes 0-2 fell out of the
	// 15-minute window: only hulp's is left; the code kind is apart.
	got, err := db.Failures(ctx, "login", at(0))
	if err != nil || !reflect.DeepEqual(got, map[string][]time.Time{"user:hulp": {at(20).UTC()}}) {
		t.Fatalf("login failures %v %v", got, err)
	}
	if got, _ := db.Failures(ctx, "code", at(0)); len(got["ip:10.8.0.7"]) != 1 {
		t.Fatalf("code failures %v", got)
	}
	if got, _ := db.Failures(ctx, "code", at(4)); len(got) != 0 {
		t.Fatalf("code failures since minute 4: %v", got)
	}
	if err := db.AddFailure(ctx, "login", "user:beheer", at(21), 15*time.Minute); err != nil {
		t.Fatal(err)
	}
	if err := db.ResetFailures(ctx, "login", "user:beheer"); err != nil {
		t.Fatal(err)
	}
	if got, _ := db.Failures(ctx, "login", at(0)); len(got) != 1 || got["user:beheer"] != nil {
		t.Fatalf("after reset %v", got)
	}
}
