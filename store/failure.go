package store

import (
	"bytes"
	"context"
	"encoding/json"
	"time"

	aw "alleenwerken"

	bolt "go.etcd.io/bbolt"
)

// failuresBucket holds the console's failed attempts: kind NUL key -> JSON
// list of times.
var failuresBucket = []byte("Failures")

func failureKey(kind, key string) []byte {
	return append(append([]byte(kind), 0), key...)
}

// AddFailure records a failed attempt of key in kind at at and forgets the
// kind's failures older than keep.
func (db *DB) AddFailure(ctx context.Context, kind, key string, at time.Time, keep time.Duration) error {
	return db.update(ctx, func(tx *bolt.Tx) error {
		b := tx.Bucket(failuresBucket)
		if err := pruneFailures(b, kind, at.Add(-keep)); err != nil {
			return err
		}
		var times []time.Time
		if _, err := getJSON(b, failureKey(kind, key), &times); err != nil {
			return err
		}
		return putJSON(b, failureKey(kind, key), append(times, at))
	})
}

// ResetFailures forgets the failures of key in kind.
func (db *DB) ResetFailures(ctx context.Context, kind, key string) error {
	return db.update(ctx, func(tx *bolt.Tx) error {
		return tx.Bucket(failuresBucket).Delete(failureKey(kind, key))
	})
}

// Failures returns the kind's failures since since, by key, oldest first,
// and forgets the older ones.
func (db *DB) Failures(ctx context.Context, kind string, since time.Time) (map[string][]time.Time, error) {
	out := map[string][]time.Time{}
	err := db.update(ctx, func(tx *bolt.Tx) error {
		clear(out)
		b := tx.Bucket(failuresBucket)
		if err := pruneFailures(b, kind, since); err != nil {
			return err
		}
		prefix := failureKey(kind, "")
		c := b.Cursor()
		for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
			var times []time.Time
			if err := json.Unmarshal(v, &times); err != nil {
				return err
			}
			out[string(k[len(prefix):])] = times
		}
		return nil
	})
	return out, err
}

// pruneFailures drops the kind's failures before cutoff, and keys left
// without any.
func pruneFailures(b *bolt.Bucket, kind string, cutoff time.Time) error {
	prefix := failureKey(kind, "")
	type kept struct {
		key   []byte
		times []time.Time
	}
	var changes []kept
	c := b.Cursor()
	for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
		var times, keep []time.Time
		if err := json.Unmarshal(v, &times); err != nil {
			return err
		}
		for _, t := range times {
			if !t.Before(cutoff) {
				keep = append(keep, t)
			}
		}
		if len(keep) != len(times) {
			changes = append(changes, kept{append([]byte(nil), k...), keep})
		}
	}
	for _, ch := range changes {
		var err error
		if len(ch.times) == 0 {
			err = b.Delete(ch.key)
		} else {
			err = putJSON(b, ch.key, ch.times)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// Ensure DB keeps the console's failed attempts.
var _ aw.FailureStore = (*DB)(nil)
