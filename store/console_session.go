package store

import (
	"context"
	"encoding/json"
	"time"

	aw "alleenwerken"

	bolt "go.etcd.io/bbolt"
)

// consoleSessionsBucket holds console log-ins keyed by the hash of the
// cookie's token. It is created on the first write.
var consoleSessionsBucket = []byte("Console.Sessions")

// Ensure DB implements the storage of the services the console uses.
var (
	_ aw.LoginStore  = (*DB)(nil)
	_ aw.ReportStore = (*DB)(nil)
)

// consoleSessionRecord is how a console log-in is stored.
type consoleSessionRecord struct {
	UserID    string    `json:"user_id"`
	CSRF      string    `json:"csrf"`
	CreatedAt time.Time `json:"created_at"`
	ExpiresAt time.Time `json:"expires_at"`
}

// errConsoleSession is the one answer to an unknown or expired log-in.
func errConsoleSession() error {
	return aw.Errorf(aw.EUNAUTHORIZED, "Niet (meer) ingelogd.")
}

// CreateConsoleSession stores s and removes sessions expired at now.
func (db *DB) CreateConsoleSession(ctx context.Context, s *aw.ConsoleSession, now time.Time) error {
	if len(s.TokenHash) == 0 || s.UserID == "" {
		return aw.Errorf(aw.EINVALID, "Sessie zonder token of gebruiker.")
	}
	return db.update(ctx, func(tx *bolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists(consoleSessionsBucket)
		if err != nil {
			return err
		}
		var expired [][]byte
		if err := b.ForEach(func(k, v []byte) error {
			var r consoleSessionRecord
			if err := json.Unmarshal(v, &r); err != nil || !now.Before(r.ExpiresAt) {
				expired = append(expired, append([]byte(nil), k...))
			}
			return nil
		}); err != nil {
			return err
		}
		for _, k := range expired {
			if err := b.Delete(k); err != nil {
				return err
			}
		}
		return putJSON(b, s.TokenHash, &consoleSessionRecord{
			UserID: s.UserID, CSRF: s.CSRF, CreatedAt: s.CreatedAt, ExpiresAt: s.ExpiresAt,
		})
	})
}

// ConsoleSession returns the session with this token hash; EUNAUTHORIZED
// when unknown or expired at now.
func (db *DB) ConsoleSession(ctx context.Context, tokenHash []byte, now time.Time) (*aw.ConsoleSession, error) {
	var s *aw.ConsoleSession
	err := db.view(ctx, func(tx *bolt.Tx) error {
		b := tx.Bucket(consoleSessionsBucket)
		if b == nil || len(tokenHash) == 0 {
			return errConsoleSession()
		}
		var r consoleSessionRecord
		if ok, err := getJSON(b, tokenHash, &r); err != nil {
			return err
		} else if !ok || !now.Before(r.ExpiresAt) {
			return errConsoleSession()
		}
		s = &aw.ConsoleSession{
			TokenHash: append([]byte(nil), tokenHash...), UserID: r.UserID, CSRF: r.CSRF,
			CreatedAt: r.CreatedAt, ExpiresAt: r.ExpiresAt,
		}
		return nil
	})
	return s, err
}

// DeleteConsoleSession removes a session; unknown is no error.
func (db *DB) DeleteConsoleSession(ctx context.Context, tokenHash []byte) error {
	return db.update(ctx, func(tx *bolt.Tx) error {
		b := tx.Bucket(consoleSessionsBucket)
		if b == nil || len(tokenHash) == 0 {
			return nil
		}
		return b.Delete(tokenHash)
	})
}

// DeleteUserConsoleSessions removes every session of a user.
func (db *DB) DeleteUserConsoleSessions(ctx context.Context, userID string) error {
	return db.update(ctx, func(tx *bolt.Tx) error {
		b := tx.Bucket(consoleSessionsBucket)
		if b == nil {
			return nil
		}
		var del [][]byte
		if err := b.ForEach(func(k, v []byte) error {
			var r consoleSessionRecord
			if err := json.Unmarshal(v, &r); err != nil || r.UserID == userID {
				del = append(del, append([]byte(nil), k...))
			}
			return nil
		}); err != nil {
			return err
		}
		for _, k := range del {
			if err := b.Delete(k); err != nil {
				return err
			}
		}
		return nil
	})
}

// CountConsoleSessions returns how many sessions are valid at now.
func (db *DB) CountConsoleSessions(ctx context.Context, now time.Time) (int, error) {
	n := 0
	err := db.view(ctx, func(tx *bolt.Tx) error {
		b := tx.Bucket(consoleSessionsBucket)
		if b == nil {
			return nil
		}
		return b.ForEach(func(_, v []byte) error {
			var r consoleSessionRecord
			if err := json.Unmarshal(v, &r); err == nil && now.Before(r.ExpiresAt) {
				n++
			}
			return nil
		})
	})
	return n, err
}
