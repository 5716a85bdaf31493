package store

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"time"

	aw "alleenwerken"

	bolt "go.etcd.io/bbolt"
)

// errInfoLink is the one answer to an unknown or expired information link.
func errInfoLink() error {
	return aw.Errorf(aw.EUNAUTHORIZED, "Deze link is onbekend of verlopen.")
}

// AlarmByInfoToken returns the alarm one of whose information-link tokens
// hashes to token's hash and is still valid at now; EUNAUTHORIZED otherwise.
// Alarms are few on an appliance, so it scans them and compares every hash
// in constant time.
func (db *DB) AlarmByInfoToken(ctx context.Context, token string, now time.Time) (*aw.Alarm, error) {
	if token == "" {
		return nil, errInfoLink()
	}
	hash := aw.HashToken(token)
	var found *aw.Alarm
	err := db.view(ctx, func(tx *bolt.Tx) error {
		return tx.Bucket(alarmsBucket).ForEach(func(_, v []byte) error {
			var rec alarmRecord
			if err := json.Unmarshal(v, &rec); err != nil {
				return err
			}
			for _, t := range rec.InfoTokens {
				if subtle.ConstantTimeCompare(t.Hash, hash) == 1 && now.Before(t.ExpiresAt) && found == nil {
					found = rec.alarm()
				}
			}
			return nil
		})
	})
	if err != nil {
		return nil, err
	}
	if found == nil {
		return nil, errInfoLink()
	}
	return found, nil
}
