package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	aw "alleenwerken"
	"alleenwerken/cmd/testkit"
)

// BenchmarkCreateSession measures one durable CreateSession (with an
// idempotency key) per iteration.
func BenchmarkCreateSession(b *testing.B) {
	ctx := context.Background()
	db := testkit.MustOpenDB(b)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, _, err := db.CreateSession(ctx, newSession(fmt.Sprint("dev", i)), fmt.Sprint("key", i), t0); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkClaimSMS measures one durable ClaimSMS per iteration on a queue
// with a history of sent messages.
func BenchmarkClaimSMS(b *testing.B) {
	ctx := context.Background()
	db := testkit.MustOpenDB(b)
	for i := 0; i < b.N; i++ {
		mustEnqueue(b, db, aw.SMSKind([]string{"alarm", "reminder"}[i%2]), "", t0.Add(time.Duration(i)*time.Millisecond))
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		m, err := db.ClaimSMS(ctx, t0.Add(time.Hour), "modem0")
		if err != nil {
			b.Fatal(err)
		} else if m == nil {
			b.Fatal("queue empty")
		}
	}
}

// BenchmarkSettingsSealedPIN measures one Settings read (done for every
// call attempt) with the SIM PIN sealed, against BenchmarkSettingsPlain.
func BenchmarkSettingsSealedPIN(b *testing.B) {
	benchSettings(b, true)
}

// BenchmarkSettingsPlain is BenchmarkSettingsSealedPIN without a key file.
func BenchmarkSettingsPlain(b *testing.B) {
	benchSettings(b, false)
}

func benchSettings(b *testing.B, sealed bool) {
	ctx := context.Background()
	db := testkit.MustOpenDB(b)
	if sealed {
		if err := db.UseKeyFile(ctx, b.TempDir()+"/aw.key"); err != nil {
			b.Fatal(err)
		}
	}
	s := aw.DefaultSettings()
	s.SIMPIN = "97531"
	if err := db.SaveSettings(ctx, s); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if got, err := db.Settings(ctx); err != nil || got.SIMPIN != "97531" {
			b.Fatalf("%q %v", got.SIMPIN, err)
		}
	}
}

// BenchmarkUpgradeRewrite measures the first UseKeyFile on a file written
// by a version without sealing (a PIN stored as typed) that holds 10,000
// outbox messages: the sealing and the rewrite of the file, done once at the
// first start after the upgrade.
func BenchmarkUpgradeRewrite(b *testing.B) {
	ctx := context.Background()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		dir := b.TempDir()
		db := MustOpenPath(b, dir+"/aw.db")
		s := aw.DefaultSettings()
		s.SIMPIN = "97531"
		if err := db.SaveSettings(ctx, s); err != nil {
			b.Fatal(err)
		}
		for j := 0; j < 10000; j++ {
			mustEnqueue(b, db, aw.SMSReminder, fmt.Sprint("s", j), t0.Add(time.Duration(j)*time.Second))
		}
		b.StartTimer()
		if err := db.UseKeyFile(ctx, dir+"/aw.key"); err != nil {
			b.Fatal(err)
		}
	}
}
