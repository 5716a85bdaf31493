package store

import (
	"context"
	"encoding/json"

	aw "alleenwerken"

	bolt "go.etcd.io/bbolt"
)

// firstAlarmNumber is the report number of the first alarm; numbers then go
// up by one and are never reused.
const firstAlarmNumber = 101

// alarmRecord is how an alarm is stored: the alarm's own JSON form, with
// its ladder under "steps".
type alarmRecord struct {
	*aw.Alarm
	Ladder []string  `json:"ladder,omitempty"` // before steps: the numbers only; read, never written
	Steps  []aw.Step `json:"steps,omitempty"`
}

// alarm returns the record's alarm. An alarm stored before ladders had
// steps has its numbers only: each is read as an alarm number called in
// every loop.
func (rec *alarmRecord) alarm() *aw.Alarm {
	a := rec.Alarm
	a.Ladder = rec.Steps
	if len(rec.Steps) == 0 {
		for _, n := range rec.Ladder {
			a.Ladder = append(a.Ladder, aw.Step{Kind: aw.StepAlarmNumber, Number: n})
		}
	}
	return a
}

// CreateAlarm assigns a an id and the next report number and stores it. When
// a belongs to a session, that session goes to state alarm in the same
// transaction; ECONFLICT when it is stopped or has an alarm already.
func (db *DB) CreateAlarm(ctx context.Context, a *aw.Alarm) error {
	return db.update(ctx, func(tx *bolt.Tx) error {
		return db.createAlarm(tx, a)
	})
}

func (db *DB) createAlarm(tx *bolt.Tx, a *aw.Alarm) error {
	id := newID()
	if a.SessionID != "" {
		_, err := db.updateSession(tx, a.SessionID, func(s *aw.Session) error {
			if !s.Open() {
				return aw.Errorf(aw.ECONFLICT, "Sessie %s is al gestopt.", s.ID)
			} else if s.AlarmID != "" {
				return aw.Errorf(aw.ECONFLICT, "Sessie %s heeft al een alarm: %s.", s.ID, s.AlarmID)
			}
			s.State = aw.SessionAlarm
			s.AlarmID = id
			s.AlarmFiresAt = nil
			return nil
		})
		if err != nil {
			return err
		}
	}
	seq, err := tx.Bucket(alarmsBucket).NextSequence()
	if err != nil {
		return err
	}
	a.ID, a.Number = id, firstAlarmNumber+int(seq)-1
	return saveAlarm(tx, a)
}

// Alarm returns an alarm by id, or ENOTFOUND.
func (db *DB) Alarm(ctx context.Context, id string) (*aw.Alarm, error) {
	var a *aw.Alarm
	err := db.view(ctx, func(tx *bolt.Tx) (err error) {
		a, err = findAlarm(tx, id)
		return err
	})
	return a, err
}

// AlarmByNumber returns an alarm by report number, or ENOTFOUND.
func (db *DB) AlarmByNumber(ctx context.Context, number int) (*aw.Alarm, error) {
	var a *aw.Alarm
	err := db.view(ctx, func(tx *bolt.Tx) (err error) {
		var id []byte
		if number > 0 {
			id = tx.Bucket(alarmsNumberBucket).Get(u64(uint64(number)))
		}
		if id == nil {
			return aw.Errorf(aw.ENOTFOUND, "Alarm #%d niet gevonden.", number)
		}
		a, err = findAlarm(tx, string(id))
		return err
	})
	return a, err
}

// UpdateAlarm applies fn to an alarm in one transaction. When fn leaves the
// alarm handled, its session is stopped in the same transaction.
func (db *DB) UpdateAlarm(ctx context.Context, id string, fn func(*aw.Alarm) error) (*aw.Alarm, error) {
	var a *aw.Alarm
	err := db.update(ctx, func(tx *bolt.Tx) (err error) {
		a, err = db.updateAlarm(tx, id, fn)
		return err
	})
	if err != nil {
		return nil, err
	}
	return a, nil
}

func (db *DB) updateAlarm(tx *bolt.Tx, id string, fn func(*aw.Alarm) error) (*aw.Alarm, error) {
	a, err := findAlarm(tx, id)
	if err != nil {
		return nil, err
	}
	number, sessionID, wasOpen := a.Number, a.SessionID, a.Open()
	if err := fn(a); err != nil {
		return nil, err
	}
	a.ID, a.Number, a.SessionID = id, number, sessionID
	if a.State == aw.AlarmHandled && a.SessionID != "" {
		_, err := db.updateSession(tx, a.SessionID, func(s *aw.Session) error {
			if s.State == aw.SessionStopped {
				return nil
			}
			s.State = aw.SessionStopped
			s.StoppedAt = timePtr(a.HandledAt)
			if s.StoppedAt == nil {
				t := db.Now()
				s.StoppedAt = &t
			}
			return nil
		})
		if err != nil && aw.ErrorCode(err) != aw.ENOTFOUND {
			return nil, err
		}
	}
	if err := saveAlarm(tx, a); err != nil {
		return nil, err
	}
	if wasOpen && a.State == aw.AlarmAccepted && a.SessionID != "" {
		// Accepted: the session no longer holds its device (saved again,
		// its index entries follow the alarm just saved).
		_, err := db.updateSession(tx, a.SessionID, func(*aw.Session) error { return nil })
		if err != nil && aw.ErrorCode(err) != aw.ENOTFOUND {
			return nil, err
		}
	}
	return a, nil
}

// Alarms returns alarms, newest (highest number) first, at most limit
// (0: all).
func (db *DB) Alarms(ctx context.Context, limit int) ([]*aw.Alarm, error) {
	var out []*aw.Alarm
	err := db.view(ctx, func(tx *bolt.Tx) error {
		c := tx.Bucket(alarmsNumberBucket).Cursor()
		for k, id := c.Last(); k != nil && (limit <= 0 || len(out) < limit); k, id = c.Prev() {
			a, err := findAlarm(tx, string(id))
			if err != nil {
				return err
			}
			out = append(out, a)
		}
		return nil
	})
	return out, err
}

// OpenAlarms returns the alarms that are escalating or unanswered, oldest
// first.
func (db *DB) OpenAlarms(ctx context.Context) ([]*aw.Alarm, error) {
	return db.indexedAlarms(ctx, alarmsOpenBucket)
}

// UnhandledAlarms returns the alarms that are not handled yet (escalating,
// unanswered or accepted), oldest first.
func (db *DB) UnhandledAlarms(ctx context.Context) ([]*aw.Alarm, error) {
	return db.indexedAlarms(ctx, alarmsUnhandledBucket)
}

// indexedAlarms returns the alarms an index bucket lists, in its order.
func (db *DB) indexedAlarms(ctx context.Context, index []byte) ([]*aw.Alarm, error) {
	var out []*aw.Alarm
	err := db.view(ctx, func(tx *bolt.Tx) error {
		return tx.Bucket(index).ForEach(func(_, id []byte) error {
			a, err := findAlarm(tx, string(id))
			if err != nil {
				return err
			}
			out = append(out, a)
			return nil
		})
	})
	return out, err
}

// indexUnhandledAlarms fills the unhandled index of a file from before it.
func indexUnhandledAlarms(tx *bolt.Tx) error {
	idx := tx.Bucket(alarmsUnhandledBucket)
	return tx.Bucket(alarmsBucket).ForEach(func(id, v []byte) error {
		rec := alarmRecord{Alarm: &aw.Alarm{}}
		if err := json.Unmarshal(v, &rec); err != nil {
			return err
		}
		if a := rec.alarm(); a.State == aw.AlarmHandled {
			return nil
		}
		return idx.Put(u64(uint64(rec.Number)), id)
	})
}

// findAlarm loads an alarm by id, or ENOTFOUND.
func findAlarm(tx *bolt.Tx, id string) (*aw.Alarm, error) {
	rec := alarmRecord{Alarm: &aw.Alarm{}}
	if ok, err := getJSON(tx.Bucket(alarmsBucket), []byte(id), &rec); err != nil {
		return nil, err
	} else if !ok {
		return nil, aw.Errorf(aw.ENOTFOUND, "Alarm %s niet gevonden.", id)
	}
	return rec.alarm(), nil
}

// saveAlarm stores a with its number index and its entries in the open and
// unhandled indexes, which are keyed by number so alarms come out oldest
// first.
func saveAlarm(tx *bolt.Tx, a *aw.Alarm) error {
	id, num := []byte(a.ID), u64(uint64(a.Number))
	if err := tx.Bucket(alarmsNumberBucket).Put(num, id); err != nil {
		return err
	}
	open := tx.Bucket(alarmsOpenBucket)
	if a.Open() {
		if err := open.Put(num, id); err != nil {
			return err
		}
	} else if err := open.Delete(num); err != nil {
		return err
	}
	unhandled := tx.Bucket(alarmsUnhandledBucket)
	if a.State != aw.AlarmHandled {
		if err := unhandled.Put(num, id); err != nil {
			return err
		}
	} else if err := unhandled.Delete(num); err != nil {
		return err
	}
	return putJSON(tx.Bucket(alarmsBucket), id, alarmRecord{Alarm: a, Steps: a.Ladder})
}
