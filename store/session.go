package store

import (
	"bytes"
	"context"
	"encoding/json"
	"time"

	aw "alleenwerken"

	bolt "go.etcd.io/bbolt"
)

// sessionRecord is how a session is stored: the session's own JSON form
// with the worker flat, and when its stub was made.
type sessionRecord struct {
	*aw.Session
	Worker      struct{}   `json:"worker,omitzero"` // hides Session.Worker, stored flat:
	WorkerName  string     `json:"worker_name,omitempty"`
	WorkerPhone string     `json:"worker_phone,omitempty"`
	PurgedAt    *time.Time `json:"purged_at,omitempty"` // storage only: when the stub was made
}

// idempotencyRecord remembers which session an Idempotency-Key created, and
// when; nothing else.
type idempotencyRecord struct {
	SessionID string    `json:"session_id"`
	At        time.Time `json:"at"`
}

// CreateSession stores s under a new id. In the same transaction it answers
// an idempotent retry with the session created then, and refuses a second
// open session for the device with ECONFLICT.
func (db *DB) CreateSession(ctx context.Context, s *aw.Session, idemKey string, now time.Time) (*aw.Session, bool, error) {
	var got *aw.Session
	created := false
	err := db.update(ctx, func(tx *bolt.Tx) error {
		var err error
		got, created, err = db.createSession(tx, s, idemKey, now)
		return err
	})
	if err != nil {
		return nil, false, err
	}
	return got, created, nil
}

func (db *DB) createSession(tx *bolt.Tx, s *aw.Session, idemKey string, now time.Time) (*aw.Session, bool, error) {
	idem := tx.Bucket(idempotencyBucket)
	idemK := joinKey([]byte(s.DeviceID), []byte(idemKey))
	if idemKey != "" {
		var rec idempotencyRecord
		if ok, err := getJSON(idem, idemK, &rec); err != nil {
			return nil, false, err
		} else if ok && now.Sub(rec.At) < aw.IdempotencyTTL {
			if prev, err := findSession(tx, rec.SessionID); err == nil {
				return prev, false, nil
			} else if aw.ErrorCode(err) != aw.ENOTFOUND {
				return nil, false, err
			}
		}
	}
	if s.DeviceID != "" {
		if id, err := deviceHolder(tx, s.DeviceID); err != nil {
			return nil, false, err
		} else if id != "" {
			return nil, false, aw.Errorf(aw.ECONFLICT, "Er loopt al een sessie voor dit toestel: %s.", id)
		}
	}
	s.ID = newID()
	if err := db.saveSession(tx, nil, s); err != nil {
		return nil, false, err
	}
	if idemKey != "" {
		if err := putJSON(idem, idemK, idempotencyRecord{SessionID: s.ID, At: now}); err != nil {
			return nil, false, err
		}
	}
	out := *s
	return &out, true, nil
}

// Session returns a session by id, or ENOTFOUND.
func (db *DB) Session(ctx context.Context, id string) (*aw.Session, error) {
	var s *aw.Session
	err := db.view(ctx, func(tx *bolt.Tx) (err error) {
		s, err = findSession(tx, id)
		return err
	})
	return s, err
}

// UpdateSession applies fn to a session in one transaction and keeps the
// open-session indexes in step with its state.
func (db *DB) UpdateSession(ctx context.Context, id string, fn func(*aw.Session) error) (*aw.Session, error) {
	var s *aw.Session
	err := db.update(ctx, func(tx *bolt.Tx) (err error) {
		s, err = db.updateSession(tx, id, fn)
		return err
	})
	if err != nil {
		return nil, err
	}
	return s, nil
}

func (db *DB) updateSession(tx *bolt.Tx, id string, fn func(*aw.Session) error) (*aw.Session, error) {
	rec, err := findSessionRecord(tx, id)
	if err != nil {
		return nil, err
	}
	s := rec.session()
	if err := fn(s); err != nil {
		return nil, err
	}
	s.ID = id
	if err := db.saveSession(tx, rec, s); err != nil {
		return nil, err
	}
	return s, nil
}

// OpenSessions returns every session that is not stopped.
func (db *DB) OpenSessions(ctx context.Context) ([]*aw.Session, error) {
	var out []*aw.Session
	err := db.view(ctx, func(tx *bolt.Tx) error {
		return tx.Bucket(sessionsOpenBucket).ForEach(func(k, _ []byte) error {
			s, err := findSession(tx, string(k))
			if err != nil {
				return err
			}
			out = append(out, s)
			return nil
		})
	})
	return out, err
}

// PurgeExpired removes idempotency records older than IdempotencyTTL and
// purged session stubs made longer ago than that.
func (db *DB) PurgeExpired(ctx context.Context, now time.Time) error {
	cutoff := now.Add(-aw.IdempotencyTTL)
	var nIdem, nStubs int
	err := db.update(ctx, func(tx *bolt.Tx) error {
		idem := tx.Bucket(idempotencyBucket)
		var old [][]byte
		err := idem.ForEach(func(k, v []byte) error {
			var rec idempotencyRecord
			if err := json.Unmarshal(v, &rec); err != nil || !rec.At.After(cutoff) {
				old = append(old, k)
			}
			return nil
		})
		if err != nil {
			return err
		}
		for _, k := range old {
			if err := idem.Delete(k); err != nil {
				return err
			}
		}
		nIdem = len(old)

		purged := tx.Bucket(sessionsPurgedBucket)
		end := timeKey(cutoff)
		old = old[:0]
		c := purged.Cursor()
		for k, _ := c.First(); k != nil && bytes.Compare(k[:8], end) <= 0; k, _ = c.Next() {
			old = append(old, k)
		}
		for _, k := range old {
			if err := tx.Bucket(sessionsBucket).Delete(k[8:]); err != nil {
				return err
			}
			if err := purged.Delete(k); err != nil {
				return err
			}
		}
		nStubs = len(old)
		return nil
	})
	if err == nil && nIdem+nStubs > 0 {
		db.logger.Info("purged expired records", "idempotency", nIdem, "session_stubs", nStubs)
	}
	return err
}

// findSession loads a session by id, or ENOTFOUND.
func findSession(tx *bolt.Tx, id string) (*aw.Session, error) {
	rec, err := findSessionRecord(tx, id)
	if err != nil {
		return nil, err
	}
	return rec.session(), nil
}

func findSessionRecord(tx *bolt.Tx, id string) (*sessionRecord, error) {
	rec := sessionRecord{Session: &aw.Session{}}
	if ok, err := getJSON(tx.Bucket(sessionsBucket), []byte(id), &rec); err != nil {
		return nil, err
	} else if !ok {
		return nil, aw.Errorf(aw.ENOTFOUND, "Sessie %s niet gevonden.", id)
	}
	return &rec, nil
}

// saveSession stores s and moves its index entries from what old (nil for a
// new session) had to what s needs.
func (db *DB) saveSession(tx *bolt.Tx, old *sessionRecord, s *aw.Session) error {
	rec := &sessionRecord{Session: s, WorkerName: s.Worker.Name, WorkerPhone: s.Worker.Phone}
	id := []byte(s.ID)
	open := tx.Bucket(sessionsOpenBucket)
	byDevice := tx.Bucket(sessionsDeviceBucket)
	purged := tx.Bucket(sessionsPurgedBucket)

	if old != nil {
		rec.PurgedAt = old.PurgedAt
		if old.State != aw.SessionStopped {
			if err := open.Delete(id); err != nil {
				return err
			}
		}
		if old.DeviceID != "" && bytes.Equal(byDevice.Get([]byte(old.DeviceID)), id) {
			if err := byDevice.Delete([]byte(old.DeviceID)); err != nil {
				return err
			}
		}
	}
	if s.Open() {
		if err := open.Put(id, nil); err != nil {
			return err
		}
	}
	if holds, err := holdsDevice(tx, s); err != nil {
		return err
	} else if holds && s.DeviceID != "" {
		if other, err := deviceHolder(tx, s.DeviceID); err != nil {
			return err
		} else if other != "" && other != s.ID {
			return aw.Errorf(aw.ECONFLICT, "Er loopt al een sessie voor dit toestel: %s.", other)
		}
		if err := byDevice.Put([]byte(s.DeviceID), id); err != nil {
			return err
		}
	}
	switch {
	case s.Purged && rec.PurgedAt == nil:
		t := db.Now()
		rec.PurgedAt = &t
		if err := purged.Put(append(timeKey(t), id...), nil); err != nil {
			return err
		}
	case !s.Purged && rec.PurgedAt != nil:
		if err := purged.Delete(append(timeKey(*rec.PurgedAt), id...)); err != nil {
			return err
		}
		rec.PurgedAt = nil
	}
	return putJSON(tx.Bucket(sessionsBucket), id, rec)
}

// session returns a copy of the record's session, its worker filled in.
func (rec *sessionRecord) session() *aw.Session {
	s := *rec.Session
	s.Worker = aw.Worker{Name: rec.WorkerName, Phone: rec.WorkerPhone}
	return &s
}

// holdsDevice reports whether s keeps its device from starting another
// session (aw.Session.HoldsDevice), reading its alarm in tx.
func holdsDevice(tx *bolt.Tx, s *aw.Session) (bool, error) {
	var a *aw.Alarm
	if s.State == aw.SessionAlarm && s.AlarmID != "" {
		var err error
		if a, err = findAlarm(tx, s.AlarmID); err != nil && aw.ErrorCode(err) != aw.ENOTFOUND {
			return false, err
		}
	}
	return s.HoldsDevice(a), nil
}

// deviceHolder returns the id of the session that holds the device, or "".
// An index entry of a session that no longer holds it (its alarm was
// accepted before the index was released on acceptance) holds nothing.
func deviceHolder(tx *bolt.Tx, deviceID string) (string, error) {
	id := tx.Bucket(sessionsDeviceBucket).Get([]byte(deviceID))
	if id == nil {
		return "", nil
	}
	s, err := findSession(tx, string(id))
	if aw.ErrorCode(err) == aw.ENOTFOUND {
		return "", nil
	} else if err != nil {
		return "", err
	}
	if holds, err := holdsDevice(tx, s); err != nil || !holds {
		return "", err
	}
	return string(id), nil
}
