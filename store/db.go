// Package store keeps the appliance's state in one embedded bbolt file.
package store

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	aw "alleenwerken"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"
)

// SchemaVersion is the version of the bucket layout this package writes.
// Open refuses a file with a newer version.
const SchemaVersion = 1

// OpenTimeout is how long Open waits for the file lock held by another
// process before it gives up.
const OpenTimeout = 2 * time.Second

// Bucket names. Index buckets are named after the bucket and the field.
var (
	metaBucket             = []byte("meta")
	schemaVersionKey       = []byte("schema_version")
	sessionsBucket         = []byte("Sessions")
	sessionsOpenBucket     = []byte("Sessions.Open")
	sessionsDeviceBucket   = []byte("Sessions.OpenByDevice")
	sessionsPurgedBucket   = []byte("Sessions.PurgedAt")
	idempotencyBucket      = []byte("Sessions.Idempotency")
	alarmsBucket           = []byte("Alarms")
	alarmsNumberBucket     = []byte("Alarms.Number")
	alarmsOpenBucket       = []byte("Alarms.Open")
	alarmsUnhandledBucket  = []byte("Alarms.Unhandled")
	devicesBucket          = []byte("Devices")
	devicesTokenHashBucket = []byte("Devices.TokenHash")
	settingsBucket         = []byte("Settings")
	settingsKey            = []byte("settings")
	usersBucket            = []byte("Users")
	usersNameBucket        = []byte("Users.Name")
	smsBucket              = []byte("SMS")
	smsQueueBucket         = []byte("SMS.Queue")
	smsTimeBucket          = []byte("SMS.CreatedAt")
	smsSessionBucket       = []byte("SMS.Session")
	smsSendingBucket       = []byte("SMS.Sending")
	smsAlarmBucket         = []byte("SMS.Alarm")
)

var allBuckets = [][]byte{
	metaBucket, sessionsBucket, sessionsOpenBucket, sessionsDeviceBucket,
	sessionsPurgedBucket, idempotencyBucket, alarmsBucket, alarmsNumberBucket,
	alarmsOpenBucket, alarmsUnhandledBucket, devicesBucket, devicesTokenHashBucket, settingsBucket,
	usersBucket, usersNameBucket, smsBucket, smsQueueBucket, smsTimeBucket,
	smsSessionBucket, smsSendingBucket, smsAlarmBucket, failuresBucket,
}

// Ensure DB implements the domain's storage interface.
var _ aw.Store = (*DB)(nil)

// DB is the bbolt-backed store. Every write is committed and fsync'd before
// the method returns.
type DB struct {
	bolt   *bolt.DB
	path   string
	logger *slog.Logger

	// Now returns the current time; it stamps storage-private times such as
	// when a session stub was purged. Tests may replace it.
	Now func() time.Time

	mu       sync.Mutex
	writeErr error // last failed write, nil after a successful one
	closed   bool
	since    time.Time           // when the health state last changed
	key      *secretKey          // seals secrets; nil: stored as typed
	unopened map[string][]string // by record: its sealed secrets the key could not open
}

// Open opens (or creates) the database file at path, creates the buckets and
// checks the schema version. It fails after OpenTimeout when another process
// holds the file.
func Open(path string, logger *slog.Logger) (*DB, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	bdb, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: OpenTimeout})
	if errors.Is(err, berrors.ErrTimeout) {
		return nil, fmt.Errorf("database %s is in gebruik door een ander proces (geen slot binnen %s): %w", path, OpenTimeout, err)
	} else if err != nil {
		return nil, fmt.Errorf("database %s openen: %w", path, err)
	}
	db := &DB{bolt: bdb, path: path, logger: logger, Now: time.Now, since: time.Now()}
	if err := bdb.Update(initSchema); err != nil {
		bdb.Close()
		return nil, fmt.Errorf("database %s: %w", path, err)
	}
	logger.Info("database open", "path", path, "schema_version", SchemaVersion)
	return db, nil
}

// initSchema creates missing buckets and stores or checks the schema version.
func initSchema(tx *bolt.Tx) error {
	meta := tx.Bucket(metaBucket)
	if meta != nil {
		if v := meta.Get(schemaVersionKey); v != nil {
			if len(v) != 8 {
				return fmt.Errorf("ongeldige schemaversie in het bestand")
			}
			if n := binary.BigEndian.Uint64(v); n > SchemaVersion {
				return fmt.Errorf("schemaversie %d is nieuwer dan deze versie kent (%d); gebruik een nieuwere versie van het programma", n, SchemaVersion)
			}
		}
	}
	newAlarmIndex := tx.Bucket(smsAlarmBucket) == nil && tx.Bucket(smsBucket) != nil
	newUnhandledIndex := tx.Bucket(alarmsUnhandledBucket) == nil && tx.Bucket(alarmsBucket) != nil
	for _, name := range allBuckets {
		if _, err := tx.CreateBucketIfNotExists(name); err != nil {
			return err
		}
	}
	if newAlarmIndex {
		// A file from before the index: the alarms' messages are indexed once.
		if err := indexAlarmSMS(tx); err != nil {
			return err
		}
	}
	if newUnhandledIndex {
		// A file from before the index: the alarms not handled are indexed once.
		if err := indexUnhandledAlarms(tx); err != nil {
			return err
		}
	}
	return tx.Bucket(metaBucket).Put(schemaVersionKey, u64(SchemaVersion))
}

// Close closes the database file.
func (db *DB) Close() error {
	db.mu.Lock()
	if !db.closed {
		db.closed = true
		db.since = time.Now()
	}
	db.mu.Unlock()
	return db.bolt.Close()
}

// Path returns the path of the database file.
func (db *DB) Path() string { return db.path }

// update runs fn in one write transaction and commits (with fsync). Errors
// from fn are returned unchanged; failures to begin or commit are remembered
// for Health and returned as EUNAVAILABLE.
func (db *DB) update(ctx context.Context, fn func(tx *bolt.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	tx, err := db.bolt.Begin(true)
	if err != nil {
		return db.writeFailed(err)
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return db.writeFailed(err)
	}
	db.writeSucceeded()
	return nil
}

// view runs fn in one read transaction.
func (db *DB) view(ctx context.Context, fn func(tx *bolt.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	tx, err := db.bolt.Begin(false)
	if err != nil {
		db.logger.Error("database read failed", "path", db.path, "err", err)
		return unavailable(err)
	}
	defer tx.Rollback()
	return fn(tx)
}

// writeFailed remembers a failed write and maps it to EUNAVAILABLE.
func (db *DB) writeFailed(err error) error {
	db.mu.Lock()
	if db.writeErr == nil {
		db.since = time.Now()
	}
	db.writeErr = err
	db.mu.Unlock()
	db.logger.Error("database write failed", "path", db.path, "err", err)
	return unavailable(err)
}

// writeSucceeded clears a remembered write failure.
func (db *DB) writeSucceeded() {
	db.mu.Lock()
	if db.writeErr != nil {
		db.writeErr = nil
		db.since = time.Now()
		db.logger.Info("database write ok again", "path", db.path)
	}
	db.mu.Unlock()
}

// unavailable wraps a storage failure in an EUNAVAILABLE domain error.
func unavailable(err error) error {
	if errors.Is(err, berrors.ErrDatabaseNotOpen) {
		return aw.Errorf(aw.EUNAVAILABLE, "De database is gesloten.")
	}
	if errors.Is(err, berrors.ErrDatabaseReadOnly) {
		return aw.Errorf(aw.EUNAVAILABLE, "De database is alleen-lezen.")
	}
	// The cause (paths, OS errors) goes to the log, not to clients.
	return aw.Errorf(aw.EUNAVAILABLE, "De database is nu niet beschikbaar.")
}

// newID returns a random 16-byte id in hex.
func newID() string {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand never fails on Linux
	}
	return hex.EncodeToString(b)
}

// u64 encodes v as an 8-byte big-endian key.
func u64(v uint64) []byte {
	b := make([]byte, 8)
	binary.BigEndian.PutUint64(b, v)
	return b
}

// timeKey encodes t as 8 big-endian bytes that sort in time order.
func timeKey(t time.Time) []byte {
	return u64(uint64(t.UnixNano()) ^ (1 << 63))
}

// joinKey joins key parts with a zero byte, for composite index keys.
func joinKey(parts ...[]byte) []byte {
	var k []byte
	for i, p := range parts {
		if i > 0 {
			k = append(k, 0)
		}
		k = append(k, p...)
	}
	return k
}

// putJSON marshals v and stores it under key.
func putJSON(b *bolt.Bucket, key []byte, v any) error {
	buf, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return b.Put(key, buf)
}

// getJSON loads the record under key into v; it reports false when absent.
func getJSON(b *bolt.Bucket, key []byte, v any) (bool, error) {
	buf := b.Get(key)
	if buf == nil {
		return false, nil
	}
	return true, json.Unmarshal(buf, v)
}

// timePtr copies a time pointer so two values share nothing.
func timePtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	c := *t
	return &c
}
