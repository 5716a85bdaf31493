package store

import (
	"context"
	"encoding/gob"
	"encoding/hex"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	aw "alleenwerken"

	bolt "go.etcd.io/bbolt"
)

// The golden fixture is a database file written by an earlier version of
// this package (testdata/golden.db, its key file beside it), the domain
// values that version read back from it (golden.want.gob) and its raw
// buckets (golden.json, to read). An appliance's database must open and read
// the same after an upgrade. -update-golden writes the fixture again with
// the code as it is: only for a new kind of record, never to make a read
// test pass.
var updateGolden = flag.Bool("update-golden", false, "write testdata/golden.* again with this code")

const (
	goldenDB   = "testdata/golden.db"
	goldenKey  = "testdata/golden.key"
	goldenWant = "testdata/golden.want.gob"
	goldenRaw  = "testdata/golden.json"
)

// goldenSet is every domain value the fixture holds.
type goldenSet struct {
	Sessions     []*aw.Session
	Alarms       []*aw.Alarm
	Devices      []*aw.Device
	Users        []*aw.User
	Audit        []*aw.AuditEntry
	SMS          []*aw.SMS
	Installation aw.Installation
}

// gt is a fixed time of the fixture; each call site picks its own minute.
func gt(min int) time.Time { return time.Date(2024, 11, 5, 8, min, 7, 123000000, time.UTC) }

func gtp(min int) *time.Time { t := gt(min); return &t }

// TestGoldenWrite writes the fixture (with -update-golden only).
func TestGoldenWrite(t *testing.T) {
	if !*updateGolden {
		t.Skip("only with -update-golden")
	}
	ctx := context.Background()
	for _, p := range []string{goldenDB, goldenKey, goldenWant, goldenRaw} {
		os.Remove(p)
	}
	db, err := Open(goldenDB, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.Now = func() time.Time { return gt(59) }
	if err := db.UseKeyFile(ctx, goldenKey); err != nil {
		t.Fatal(err)
	}
	var want goldenSet

	// Sessions: one with every field, one in its cancel window, one
	// stopped and purged (a stub with its storage-only purge time).
	full := &aw.Session{
		DeviceID: "dev-full", State: aw.SessionActive,
		Worker:       aw.Worker{Name: "Jan de Vries", Phone: "+31612345678"},
		AlarmNumbers: []string{"201", "+31201234567", "+31612000003"},
		Description:  "Meteropname kelder", Reference: "WO-4711", Address: "Kade 1, Zwolle",
		Location:  &aw.Location{Lat: 52.5, Lon: 6.1, AccuracyM: 12.5, At: gt(1), Status: "in de kelder"},
		Test:      true,
		StartedAt: gt(0), ExpiresAt: gt(50), ReminderAt: gtp(45),
	}
	pending := &aw.Session{
		DeviceID: "dev-pending", State: aw.SessionAlarmPending,
		Worker:       aw.Worker{Name: "Piet", Phone: "+31612000004"},
		AlarmNumbers: []string{"202", "203"},
		StartedAt:    gt(2), ExpiresAt: gt(40), ReminderAt: gtp(35), AlarmFiresAt: gtp(3), ReminderDone: true,
	}
	purged := &aw.Session{
		DeviceID: "dev-purged", State: aw.SessionActive,
		Worker:       aw.Worker{Name: "Kees", Phone: "+31612000005"},
		AlarmNumbers: []string{"202", "203"},
		StartedAt:    gt(4), ExpiresAt: gt(30),
	}
	stopped := &aw.Session{
		DeviceID: "dev-stopped", State: aw.SessionActive,
		Worker:       aw.Worker{Name: "Anna", Phone: "+31612000006"},
		AlarmNumbers: []string{"201", "203"},
		StartedAt:    gt(4), ExpiresAt: gt(30),
	}
	for _, s := range []*aw.Session{full, pending, purged, stopped} {
		if _, _, err := db.CreateSession(ctx, s, "idem-"+s.DeviceID, gt(5)); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.UpdateSession(ctx, purged.ID, func(s *aw.Session) error {
		s.StoppedAt = gtp(6)
		s.Purge()
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.UpdateSession(ctx, stopped.ID, func(s *aw.Session) error {
		s.State, s.StoppedAt = aw.SessionStopped, gtp(7)
		return nil
	}); err != nil {
		t.Fatal(err)
	}

	// An alarm with every field, raised for the full session, and a test
	// alarm that was handled.
	a := &aw.Alarm{
		AccessCode: "4321", SessionID: full.ID, Cause: aw.CauseManual, State: aw.AlarmEscalating,
		RaisedAt: gt(7), Ladder: aw.NewLadder(full.AlarmNumbers, "+31880000000"), Loop: 1,
	}
	if err := db.CreateAlarm(ctx, a); err != nil {
		t.Fatal(err)
	}
	if _, err := db.UpdateAlarm(ctx, a.ID, func(a *aw.Alarm) error {
		a.Ladder[1].Ring = 45 * time.Second
		a.Ladder[2].Loops = []int{2, 3}
		a.State = aw.AlarmUnanswered
		a.Loop, a.Step = 2, 1
		a.NextCallAt = gtp(20)
		a.Attempts = []aw.Attempt{{
			Seq: 1, Loop: 1, Step: 0, Number: "201", CallID: "aw-1-1", StartedAt: gt(8),
			AnsweredAt: gtp(9), EndedAt: gtp(10), Digits: "2", Outcome: aw.OutcomeDeclined,
			Cause: 16, CauseText: "Normal Clearing", SIPDetail: "200 OK", Reason: "other digits",
			SMSChoice: "not_offered", Played: []string{"aw-intro", "aw-press1"},
		}, {
			Seq: 2, Loop: 1, Step: 1, Number: "+31201234567", CallID: "aw-1-2", StartedAt: gt(11),
		}}
		a.AcceptedBy, a.AcceptedAt = "+31612000003", gtp(12)
		a.UnansweredAt = gtp(13)
		a.HandledBy, a.HandledAt, a.Remark = "Marieke", gtp(14), "vals alarm"
		a.FanOutSentAt, a.AdminSMSAt, a.PlaceFailures = gtp(15), gtp(16), 3
		a.InfoTokens = []aw.InfoToken{{Hash: aw.HashToken("tok-1"), ExpiresAt: gt(17)}}
		a.UnhandledReminders, a.UnhandledRemindedAt = 2, gtp(18)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	test := &aw.Alarm{AccessCode: "1234", Cause: aw.CauseTest, Test: true, State: aw.AlarmEscalating,
		RaisedAt: gt(18), Ladder: aw.NewLadder([]string{"201"}, ""), Loop: 1}
	if err := db.CreateAlarm(ctx, test); err != nil {
		t.Fatal(err)
	}
	if _, err := db.UpdateAlarm(ctx, test.ID, func(a *aw.Alarm) error {
		a.State, a.HandledBy, a.HandledAt = aw.AlarmHandled, "console", gtp(19)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	// An alarm as stored before ladders had steps: its ladder the numbers
	// only.
	if err := db.update(ctx, func(tx *bolt.Tx) error {
		seq, err := tx.Bucket(alarmsBucket).NextSequence()
		if err != nil {
			return err
		}
		id, num := []byte("legacy-ladder-alarm"), u64(firstAlarmNumber+seq-1)
		raw := map[string]any{
			"id": string(id), "number": firstAlarmNumber + seq - 1, "access_code": "9876",
			"cause": "expired", "state": "escalating", "raised_at": gt(21),
			"ladder": []string{"+31612000001", "202", "+31880000000"},
			"loop":   1, "step": 1,
			"attempts": []map[string]any{{"seq": 1, "loop": 1, "step": 0, "number": "+31612000001",
				"call_id": "aw-legacy-1", "started_at": gt(22), "ended_at": gt(23), "outcome": "busy", "cause": 17}},
		}
		if err := tx.Bucket(alarmsNumberBucket).Put(num, id); err != nil {
			return err
		}
		if err := tx.Bucket(alarmsOpenBucket).Put(num, id); err != nil {
			return err
		}
		return putJSON(tx.Bucket(alarmsBucket), id, raw)
	}); err != nil {
		t.Fatal(err)
	}

	// Devices, one revoked; users, one disabled.
	for i, name := range []string{"Telefoon Jan", "Telefoon Piet"} {
		d := &aw.Device{Name: name, TokenHash: aw.HashToken(name), CreatedAt: gt(24 + i)}
		if err := db.CreateDevice(ctx, d); err != nil {
			t.Fatal(err)
		}
		if i == 1 {
			if err := db.RevokeDevice(ctx, d.ID, gt(26)); err != nil {
				t.Fatal(err)
			}
		}
	}
	for i, name := range []string{"admin", "marieke"} {
		u := &aw.User{Name: name, Role: aw.RoleSuperAdmin, PasswordHash: []byte("$2a$10$" + name), CreatedAt: gt(27 + i)}
		if i == 1 {
			u.Role, u.DisabledAt = aw.RoleResponder, gtp(29)
		}
		if err := db.CreateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
	}

	// The audit log.
	for _, e := range []*aw.AuditEntry{
		{At: gt(30), Actor: "admin", Action: aw.AuditSettingChanged, Target: "settings", Field: "ring_timeout",
			Old: "30s", New: "45s", Detail: "via console", IP: "10.0.0.7"},
		{At: gt(31), Actor: "sms-link", Action: aw.AuditAlarmViewed, Target: "#101"},
	} {
		if err := db.AppendAudit(ctx, e); err != nil {
			t.Fatal(err)
		}
	}

	// The outbox: one message with every field, one still queued.
	sent := &aw.SMS{Kind: aw.SMSResponder, To: "+31612000003", Text: "Alarm #101: Jan de Vries", CreatedAt: gt(32),
		Deadline: gtp(33), SessionID: full.ID, AlarmID: a.ID, Test: true}
	queued := &aw.SMS{Kind: aw.SMSReminder, To: "+31612000004", Text: "Uw timer loopt af", CreatedAt: gt(34),
		Deadline: gtp(40), SessionID: pending.ID}
	for _, m := range []*aw.SMS{sent, queued} {
		if err := db.EnqueueSMS(ctx, m); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.UpdateSMS(ctx, sent.ID, func(m *aw.SMS) error {
		m.State, m.Tries, m.NextTryAt, m.LastError, m.Resent = aw.SMSSent, 2, gtp(35), "+CMS ERROR: 500", true
		m.SentAt, m.Modem, m.Refs, m.PartStatus = gtp(36), "/dev/ttyUSB2", []int{17, 18}, []int{0, -1}
		m.Delivery, m.DeliveryAt = aw.DeliveryPending, gtp(37)
		return nil
	}); err != nil {
		t.Fatal(err)
	}

	// The installation, its secrets sealed.
	if err := db.SaveInstallation(ctx, aw.Installation{
		Trunk:              &aw.Trunk{Endpoint: "trunk", Host: "sip.example.nl:5060", User: "31880000000", Password: "trunk-secret"},
		ExtensionPasswords: map[string]string{"201": "ext-201-secret", "202": "ext-202-secret"},
		Connection: &aw.Connection{ARIURL: "http://127.0.0.1:8088/ari", ARIUser: "aw", ARIPassword: "ari-secret",
			ARIApp: "alleenwerken", NATSURL: "nats://10.0.0.5:4222", ModemPorts: []string{"/dev/alleenwerken-modem", "/dev/ttyUSB3"}},
	}); err != nil {
		t.Fatal(err)
	}

	for _, s := range []*aw.Session{full, pending, purged, stopped} {
		want.Sessions = append(want.Sessions, &aw.Session{ID: s.ID})
	}
	for _, id := range []string{a.ID, test.ID, "legacy-ladder-alarm"} {
		want.Alarms = append(want.Alarms, &aw.Alarm{ID: id})
	}
	for _, m := range []*aw.SMS{sent, queued} {
		want.SMS = append(want.SMS, &aw.SMS{ID: m.ID})
	}
	got := readGolden(t, db, &want)
	writeGob(t, goldenWant, got)
	raw, err := json.MarshalIndent(dumpBuckets(t, db), "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(goldenRaw, append(raw, '\n'), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestGoldenFixture opens a copy of the fixture and checks that every value
// reads back as the version that wrote it read it; that writing each one
// again and reading it gives the same values; and that what is written
// again is what that version wrote (the same JSON members, secrets sealed).
func TestGoldenFixture(t *testing.T) {
	if *updateGolden {
		t.Skip("writing the fixture")
	}
	ctx := context.Background()
	dir := t.TempDir()
	for _, p := range []string{goldenDB, goldenKey} {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, filepath.Base(p)), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	db, err := Open(filepath.Join(dir, "golden.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.UseKeyFile(ctx, filepath.Join(dir, "golden.key")); err != nil {
		t.Fatal(err)
	}
	var want goldenSet
	readGob(t, goldenWant, &want)
	if n := len(want.Sessions) * len(want.Alarms) * len(want.Devices) * len(want.Users) * len(want.Audit) * len(want.SMS); n == 0 {
		t.Fatal("the fixture lacks a kind of record")
	}
	if missing := unsetFields(&want); len(missing) > 0 {
		t.Fatalf("no value in the fixture sets %v", missing)
	}
	compareGolden(t, "read", readGolden(t, db, &want), &want)

	t.Run("WrittenAgain", func(t *testing.T) {
		rewriteGolden(t, db, &want)
		compareGolden(t, "read after writing again", readGolden(t, db, &want), &want)

		var raw map[string]map[string]any
		b, err := os.ReadFile(goldenRaw)
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(b, &raw); err != nil {
			t.Fatal(err)
		}
		// The legacy alarm is written in today's form; the rest as it was.
		delete(raw["Alarms"], hex.EncodeToString([]byte("legacy-ladder-alarm")))
		now := dumpBuckets(t, db)
		delete(now["Alarms"], hex.EncodeToString([]byte("legacy-ladder-alarm")))
		for bucket, kv := range raw {
			for k, v := range kv {
				if got, want := normalJSON(now[bucket][k]), normalJSON(v); !reflect.DeepEqual(got, want) {
					t.Errorf("%s %s written again:\n got %s\nwant %s", bucket, k, mustJSON(got), mustJSON(want))
				}
			}
			for k := range now[bucket] {
				if _, ok := kv[k]; !ok {
					t.Errorf("%s %s: a new key", bucket, k)
				}
			}
		}
	})
}

// readGolden reads every value of the kinds in want from db: sessions,
// alarms and messages by the ids in want, the rest all.
func readGolden(t *testing.T, db *DB, want *goldenSet) *goldenSet {
	t.Helper()
	ctx := context.Background()
	got := &goldenSet{}
	for _, w := range want.Sessions {
		s, err := db.Session(ctx, w.ID)
		if err != nil {
			t.Fatal(err)
		}
		got.Sessions = append(got.Sessions, s)
	}
	for _, w := range want.Alarms {
		a, err := db.Alarm(ctx, w.ID)
		if err != nil {
			t.Fatal(err)
		}
		got.Alarms = append(got.Alarms, a)
	}
	all, err := db.ListSMS(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range want.SMS {
		for _, m := range all {
			if m.ID == w.ID {
				got.SMS = append(got.SMS, m)
			}
		}
	}
	if got.Devices, err = db.Devices(ctx); err != nil {
		t.Fatal(err)
	}
	if got.Users, err = db.Users(ctx); err != nil {
		t.Fatal(err)
	}
	if got.Audit, err = db.AuditEntries(ctx, 0); err != nil {
		t.Fatal(err)
	}
	if got.Installation, err = db.Installation(ctx); err != nil {
		t.Fatal(err)
	}
	return got
}

// rewriteGolden writes every value of want again, unchanged, with the code
// as it is.
func rewriteGolden(t *testing.T, db *DB, want *goldenSet) {
	t.Helper()
	ctx := context.Background()
	same := func(any) error { return nil }
	for _, s := range want.Sessions {
		if _, err := db.UpdateSession(ctx, s.ID, func(s *aw.Session) error { return same(s) }); err != nil {
			t.Fatal(err)
		}
	}
	for _, a := range want.Alarms {
		if _, err := db.UpdateAlarm(ctx, a.ID, func(a *aw.Alarm) error { return same(a) }); err != nil {
			t.Fatal(err)
		}
	}
	for _, m := range want.SMS {
		if _, err := db.UpdateSMS(ctx, m.ID, func(m *aw.SMS) error { return same(m) }); err != nil {
			t.Fatal(err)
		}
	}
	for _, u := range want.Users {
		if _, err := db.UpdateUser(ctx, u.ID, func(u *aw.User) error { return same(u) }); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.update(ctx, func(tx *bolt.Tx) error {
		for _, d := range want.Devices {
			if err := saveDevice(tx, d); err != nil {
				return err
			}
		}
		return tx.DeleteBucket(auditBucket)
	}); err != nil {
		t.Fatal(err)
	}
	for i := len(want.Audit) - 1; i >= 0; i-- { // newest first: append oldest first
		e := *want.Audit[i]
		if err := db.AppendAudit(ctx, &e); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.SaveInstallation(ctx, want.Installation); err != nil {
		t.Fatal(err)
	}
}

// compareGolden fails the test for each value of got that is not the one
// in want.
func compareGolden(t *testing.T, what string, got, want *goldenSet) {
	t.Helper()
	gv, wv := reflect.ValueOf(got).Elem(), reflect.ValueOf(want).Elem()
	for i := 0; i < gv.NumField(); i++ {
		name := gv.Type().Field(i).Name
		g, w := gv.Field(i), wv.Field(i)
		if g.Kind() != reflect.Slice {
			if !reflect.DeepEqual(g.Interface(), w.Interface()) {
				t.Errorf("%s %s:\n got %s\nwant %s", what, name, mustJSON(g.Interface()), mustJSON(w.Interface()))
			}
			continue
		}
		if g.Len() != w.Len() {
			t.Errorf("%s: %d %s, want %d", what, g.Len(), name, w.Len())
			continue
		}
		for j := 0; j < g.Len(); j++ {
			if !reflect.DeepEqual(g.Index(j).Interface(), w.Index(j).Interface()) {
				t.Errorf("%s %s[%d]:\n got %#v\nwant %#v", what, name, j, deref(g.Index(j)), deref(w.Index(j)))
			}
		}
	}
}

// unsetFields returns the fields (as paths) of the values in set that no
// value sets, so that the fixture tests every field.
// newerThanFixture are the fields added after the fixture was written: an
// older file has none of them, read as zero. TestGoldenWrite sets them, so
// a fixture written again has them; their stored form is tested beside
// their own feature (TestUnhandledReminderStored).
var newerThanFixture = map[string]bool{
	".Alarms.UnhandledReminders":  true,
	".Alarms.UnhandledRemindedAt": true,
}

func unsetFields(set *goldenSet) []string {
	seen, all := map[string]bool{}, map[string]bool{}
	var walk func(path string, v reflect.Value)
	walk = func(path string, v reflect.Value) {
		switch v.Kind() {
		case reflect.Pointer:
			if !v.IsNil() {
				walk(path, v.Elem())
			}
		case reflect.Slice:
			if v.Type().Elem().Kind() != reflect.Struct && v.Type().Elem().Kind() != reflect.Pointer {
				return
			}
			for i := 0; i < v.Len(); i++ {
				walk(path, v.Index(i))
			}
		case reflect.Struct:
			if v.Type() == reflect.TypeOf(time.Time{}) {
				return
			}
			for i := 0; i < v.NumField(); i++ {
				p := path + "." + v.Type().Field(i).Name
				all[p] = true
				if !v.Field(i).IsZero() {
					seen[p] = true
				}
				walk(p, v.Field(i))
			}
		}
	}
	walk("", reflect.ValueOf(set).Elem())
	var out []string
	for p := range all {
		if !seen[p] && p != ".Installation.Trunk.Endpoint" && !newerThanFixture[p] { // follows the settings, not stored
			out = append(out, p)
		}
	}
	sort.Strings(out)
	return out
}

func deref(v reflect.Value) any {
	for v.Kind() == reflect.Pointer && !v.IsNil() {
		v = v.Elem()
	}
	return v.Interface()
}

// dumpBuckets returns every bucket of db: by hex key, a JSON value as it
// is, any other in hex.
func dumpBuckets(t *testing.T, db *DB) map[string]map[string]any {
	t.Helper()
	out := map[string]map[string]any{}
	err := db.view(context.Background(), func(tx *bolt.Tx) error {
		return tx.ForEach(func(name []byte, b *bolt.Bucket) error {
			kv := map[string]any{}
			out[string(name)] = kv
			return b.ForEach(func(k, v []byte) error {
				var j any
				if len(v) > 0 && v[0] == '{' && json.Unmarshal(v, &j) == nil {
					kv[hex.EncodeToString(k)] = j
				} else {
					kv[hex.EncodeToString(k)] = hex.EncodeToString(v)
				}
				return nil
			})
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// normalJSON drops the members that read as their zero value (null, "",
// 0, false, empty list or object), which any version reads the same as an
// absent one, and blanks sealed secrets (sealed with a fresh nonce on every
// write).
func normalJSON(v any) any {
	switch v := v.(type) {
	case map[string]any:
		out := map[string]any{}
		for k, x := range v {
			if x = normalJSON(x); x != nil {
				out[k] = x
			}
		}
		if len(out) == 0 {
			return nil
		}
		return out
	case []any:
		if len(v) == 0 {
			return nil
		}
		out := make([]any, len(v))
		for i, x := range v {
			out[i] = normalJSON(x)
		}
		return out
	case string:
		if v == "" {
			return nil
		} else if strings.HasPrefix(v, sealedPrefix) {
			return sealedPrefix + "…"
		}
	case float64:
		if v == 0 {
			return nil
		}
	case bool:
		if !v {
			return nil
		}
	}
	return v
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func writeGob(t *testing.T, path string, v any) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := gob.NewEncoder(f).Encode(v); err != nil {
		t.Fatal(err)
	}
}

func readGob(t *testing.T, path string, v any) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := gob.NewDecoder(f).Decode(v); err != nil {
		t.Fatal(err)
	}
}
