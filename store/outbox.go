package store

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"time"

	aw "alleenwerken"

	bolt "go.etcd.io/bbolt"
)

// EnqueueSMS assigns m an id and stores it as queued; a zero CreatedAt is
// set to now.
func (db *DB) EnqueueSMS(ctx context.Context, m *aw.SMS) error {
	return db.update(ctx, func(tx *bolt.Tx) error {
		m.ID = newID()
		m.State = aw.SMSQueued
		if m.CreatedAt.IsZero() {
			m.CreatedAt = db.Now()
		}
		return saveSMS(tx, nil, m)
	})
}

// CancelSMS marks the queued messages of a session and kind cancelled and
// returns how many.
func (db *DB) CancelSMS(ctx context.Context, sessionID string, kind aw.SMSKind) (int, error) {
	n := 0
	err := db.update(ctx, func(tx *bolt.Tx) error {
		n = 0
		for _, id := range indexedSMSIDs(tx, smsSessionBucket, sessionID) {
			old, err := findSMS(tx, id)
			if err != nil {
				return err
			}
			if old.State != aw.SMSQueued || old.Kind != kind {
				continue
			}
			m := *old
			m.State = aw.SMSCancelled
			if err := saveSMS(tx, old, &m); err != nil {
				return err
			}
			n++
		}
		return nil
	})
	return n, err
}

// PurgeSessionSMS deletes every SMS record of a session (privacy).
func (db *DB) PurgeSessionSMS(ctx context.Context, sessionID string) error {
	if sessionID == "" {
		return nil
	}
	return db.update(ctx, func(tx *bolt.Tx) error {
		for _, id := range indexedSMSIDs(tx, smsSessionBucket, sessionID) {
			m, err := findSMS(tx, id)
			if err != nil {
				return err
			}
			if err := deleteSMSIndexes(tx, m); err != nil {
				return err
			}
			if err := tx.Bucket(smsBucket).Delete([]byte(id)); err != nil {
				return err
			}
		}
		return nil
	})
}

// ClaimSMS takes, in one write transaction, the next queued message that is
// due at now (alarm kinds before reminders, then oldest first), marks it
// sending by modem and counts the try. It returns nil when nothing is due.
func (db *DB) ClaimSMS(ctx context.Context, now time.Time, modem string) (*aw.SMS, error) {
	var m *aw.SMS
	err := db.update(ctx, func(tx *bolt.Tx) error {
		m = nil
		c := tx.Bucket(smsQueueBucket).Cursor()
		for k, id := c.First(); k != nil; k, id = c.Next() {
			old, err := findSMS(tx, string(id))
			if err != nil {
				return err
			}
			if old.NextTryAt != nil && old.NextTryAt.After(now) {
				continue
			}
			m = new(aw.SMS)
			*m = *old
			m.State = aw.SMSSending
			m.Modem = modem
			m.Tries++
			return saveSMS(tx, old, m)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return m, nil
}

// UpdateSMS applies fn to a message in one transaction and keeps the queue
// index in step with its state; ENOTFOUND for an unknown id.
func (db *DB) UpdateSMS(ctx context.Context, id string, fn func(*aw.SMS) error) (*aw.SMS, error) {
	var m *aw.SMS
	err := db.update(ctx, func(tx *bolt.Tx) error {
		old, err := findSMS(tx, id)
		if err != nil {
			return err
		}
		m = new(aw.SMS)
		*m = *old
		if err := fn(m); err != nil {
			return err
		}
		m.ID = id
		return saveSMS(tx, old, m)
	})
	if err != nil {
		return nil, err
	}
	return m, nil
}

// ListSMS returns messages, newest first, at most limit (0: all).
func (db *DB) ListSMS(ctx context.Context, limit int) ([]*aw.SMS, error) {
	var out []*aw.SMS
	err := db.view(ctx, func(tx *bolt.Tx) error {
		c := tx.Bucket(smsTimeBucket).Cursor()
		for k, id := c.Last(); k != nil && (limit <= 0 || len(out) < limit); k, id = c.Prev() {
			m, err := findSMS(tx, string(id))
			if err != nil {
				return err
			}
			out = append(out, m)
		}
		return nil
	})
	return out, err
}

// AlarmSMS returns the messages sent for one alarm, oldest first.
func (db *DB) AlarmSMS(ctx context.Context, alarmID string) ([]*aw.SMS, error) {
	var out []*aw.SMS
	err := db.view(ctx, func(tx *bolt.Tx) error {
		for _, id := range indexedSMSIDs(tx, smsAlarmBucket, alarmID) {
			m, err := findSMS(tx, id)
			if err != nil {
				return err
			}
			out = append(out, m)
		}
		return nil
	})
	return out, err
}

// indexAlarmSMS fills the alarm index from the stored messages.
func indexAlarmSMS(tx *bolt.Tx) error {
	idx := tx.Bucket(smsAlarmBucket)
	return tx.Bucket(smsBucket).ForEach(func(k, v []byte) error {
		var m aw.SMS
		if err := json.Unmarshal(v, &m); err != nil {
			return fmt.Errorf("SMS %s: %w", k, err)
		}
		if key, ok := smsIndexKeys(&m)[string(smsAlarmBucket)]; ok {
			return idx.Put(key, []byte(m.ID))
		}
		return nil
	})
}

// RecoverSMS marks messages left in sending (the daemon died while sending)
// unknown and returns them.
func (db *DB) RecoverSMS(ctx context.Context) ([]*aw.SMS, error) {
	var out []*aw.SMS
	err := db.update(ctx, func(tx *bolt.Tx) error {
		out = nil
		var ids []string
		if err := tx.Bucket(smsSendingBucket).ForEach(func(k, _ []byte) error {
			ids = append(ids, string(k))
			return nil
		}); err != nil {
			return err
		}
		for _, id := range ids {
			old, err := findSMS(tx, id)
			if err != nil {
				return err
			}
			m := new(aw.SMS)
			*m = *old
			m.State = aw.SMSUnknown
			if err := saveSMS(tx, old, m); err != nil {
				return err
			}
			out = append(out, m)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(out) > 0 {
		db.logger.Warn("sms left in sending marked unknown", "count", len(out))
	}
	return out, nil
}

// indexedSMSIDs returns the ids of the messages an index bucket (by session
// or by alarm) holds under owner, in key order.
func indexedSMSIDs(tx *bolt.Tx, bucket []byte, owner string) []string {
	if owner == "" {
		return nil
	}
	var ids []string
	prefix := joinKey([]byte(owner), nil)
	c := tx.Bucket(bucket).Cursor()
	for k, id := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, id = c.Next() {
		ids = append(ids, string(id))
	}
	return ids
}

// findSMS loads a message by id, or ENOTFOUND. It is stored in its own
// JSON form.
func findSMS(tx *bolt.Tx, id string) (*aw.SMS, error) {
	var m aw.SMS
	if ok, err := getJSON(tx.Bucket(smsBucket), []byte(id), &m); err != nil {
		return nil, err
	} else if !ok {
		return nil, aw.Errorf(aw.ENOTFOUND, "SMS %s niet gevonden.", id)
	}
	return &m, nil
}

// queueKey orders the queue index: priority, then creation time, then id.
func queueKey(kind aw.SMSKind, created time.Time, id string) []byte {
	k := []byte{byte(kind.Priority())}
	k = append(k, timeKey(created)...)
	return append(k, id...)
}

// smsIndexKeys returns the index entries (bucket -> key) a message needs.
func smsIndexKeys(rec *aw.SMS) map[string][]byte {
	keys := map[string][]byte{
		string(smsTimeBucket): append(timeKey(rec.CreatedAt), rec.ID...),
	}
	if rec.SessionID != "" {
		keys[string(smsSessionBucket)] = joinKey([]byte(rec.SessionID), []byte(rec.ID))
	}
	if rec.AlarmID != "" {
		keys[string(smsAlarmBucket)] = joinKey([]byte(rec.AlarmID), append(timeKey(rec.CreatedAt), rec.ID...))
	}
	switch rec.State {
	case aw.SMSQueued:
		keys[string(smsQueueBucket)] = queueKey(rec.Kind, rec.CreatedAt, rec.ID)
	case aw.SMSSending:
		keys[string(smsSendingBucket)] = []byte(rec.ID)
	}
	return keys
}

func deleteSMSIndexes(tx *bolt.Tx, rec *aw.SMS) error {
	for bucket, k := range smsIndexKeys(rec) {
		if err := tx.Bucket([]byte(bucket)).Delete(k); err != nil {
			return err
		}
	}
	return nil
}

// saveSMS stores m and moves its index entries from what old (nil for a new
// message) had to what m needs.
func saveSMS(tx *bolt.Tx, old, m *aw.SMS) error {
	if old != nil {
		if err := deleteSMSIndexes(tx, old); err != nil {
			return err
		}
	}
	for bucket, k := range smsIndexKeys(m) {
		if err := tx.Bucket([]byte(bucket)).Put(k, []byte(m.ID)); err != nil {
			return err
		}
	}
	return putJSON(tx.Bucket(smsBucket), []byte(m.ID), m)
}
