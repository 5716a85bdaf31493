package store

import (
	"context"
	"time"

	aw "alleenwerken"

	bolt "go.etcd.io/bbolt"
)

// firstAlarmNumber is the report number of the first alarm; numbers then go
// up by one and are never reused.
const firstAlarmNumber = 101

// alarmRecord is how an alarm is stored.
type alarmRecord struct {
	ID            string            `json:"id"`
	Number        int               `json:"number"`
	AccessCode    string            `json:"access_code"`
	SessionID     string            `json:"session_id,omitempty"`
	Cause         string            `json:"cause"`
	Test          bool              `json:"test,omitempty"`
	State         string            `json:"state"`
	RaisedAt      time.Time         `json:"raised_at"`
	Ladder        []string          `json:"ladder,omitempty"` // before steps: the numbers only
	Steps         []stepRecord      `json:"steps,omitempty"`
	Loop          int               `json:"loop"`
	Step          int               `json:"step"`
	NextCallAt    *time.Time        `json:"next_call_at,omitempty"`
	Attempts      []attemptRecord   `json:"attempts,omitempty"`
	AcceptedBy    string            `json:"accepted_by,omitempty"`
	AcceptedAt    *time.Time        `json:"accepted_at,omitempty"`
	UnansweredAt  *time.Time        `json:"unanswered_at,omitempty"`
	HandledBy     string            `json:"handled_by,omitempty"`
	HandledAt     *time.Time        `json:"handled_at,omitempty"`
	Remark        string            `json:"remark,omitempty"`
	FanOutSentAt  *time.Time        `json:"fan_out_sent_at,omitempty"`
	AdminSMSAt    *time.Time        `json:"admin_sms_at,omitempty"`
	PlaceFailures int               `json:"place_failures,omitempty"`
	InfoTokens    []infoTokenRecord `json:"info_tokens,omitempty"`
}

// stepRecord is how a ladder step is stored.
type stepRecord struct {
	Kind   string        `json:"kind"`
	Number string        `json:"number"`
	Ring   time.Duration `json:"ring,omitempty"`
	Loops  []int         `json:"loops,omitempty"`
}

// steps returns the record's ladder. An alarm stored before ladders had
// steps has its numbers only: each is read as an alarm number called in
// every loop.
func (rec *alarmRecord) steps() []aw.Step {
	var out []aw.Step
	for _, s := range rec.Steps {
		out = append(out, aw.Step{Kind: aw.StepKind(s.Kind), Number: s.Number, Ring: s.Ring, Loops: append([]int(nil), s.Loops...)})
	}
	if len(rec.Steps) == 0 {
		for _, n := range rec.Ladder {
			out = append(out, aw.Step{Kind: aw.StepAlarmNumber, Number: n})
		}
	}
	return out
}

// infoTokenRecord is the hash of an information-link token.
type infoTokenRecord struct {
	Hash      []byte    `json:"hash"`
	ExpiresAt time.Time `json:"expires_at"`
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
	number, sessionID := a.Number, a.SessionID
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
	var out []*aw.Alarm
	err := db.view(ctx, func(tx *bolt.Tx) error {
		return tx.Bucket(alarmsOpenBucket).ForEach(func(_, id []byte) error {
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

// findAlarm loads an alarm by id, or ENOTFOUND.
func findAlarm(tx *bolt.Tx, id string) (*aw.Alarm, error) {
	var rec alarmRecord
	if ok, err := getJSON(tx.Bucket(alarmsBucket), []byte(id), &rec); err != nil {
		return nil, err
	} else if !ok {
		return nil, aw.Errorf(aw.ENOTFOUND, "Alarm %s niet gevonden.", id)
	}
	return rec.alarm(), nil
}

// saveAlarm stores a with its number index and its entry in the open index,
// which is keyed by number so open alarms come out oldest first.
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
	return putJSON(tx.Bucket(alarmsBucket), id, newAlarmRecord(a))
}

func newAlarmRecord(a *aw.Alarm) *alarmRecord {
	rec := &alarmRecord{
		ID:            a.ID,
		Number:        a.Number,
		AccessCode:    a.AccessCode,
		SessionID:     a.SessionID,
		Cause:         string(a.Cause),
		Test:          a.Test,
		State:         string(a.State),
		RaisedAt:      a.RaisedAt,
		Loop:          a.Loop,
		Step:          a.Step,
		NextCallAt:    timePtr(a.NextCallAt),
		AcceptedBy:    a.AcceptedBy,
		AcceptedAt:    timePtr(a.AcceptedAt),
		UnansweredAt:  timePtr(a.UnansweredAt),
		HandledBy:     a.HandledBy,
		HandledAt:     timePtr(a.HandledAt),
		Remark:        a.Remark,
		FanOutSentAt:  timePtr(a.FanOutSentAt),
		AdminSMSAt:    timePtr(a.AdminSMSAt),
		PlaceFailures: a.PlaceFailures,
	}
	for _, st := range a.Ladder {
		rec.Steps = append(rec.Steps, stepRecord{Kind: string(st.Kind), Number: st.Number, Ring: st.Ring, Loops: append([]int(nil), st.Loops...)})
	}
	for i := range a.Attempts {
		rec.Attempts = append(rec.Attempts, newAttemptRecord(&a.Attempts[i]))
	}
	for _, t := range a.InfoTokens {
		rec.InfoTokens = append(rec.InfoTokens, infoTokenRecord{Hash: append([]byte(nil), t.Hash...), ExpiresAt: t.ExpiresAt})
	}
	return rec
}

func (rec *alarmRecord) alarm() *aw.Alarm {
	a := &aw.Alarm{
		ID:            rec.ID,
		Number:        rec.Number,
		AccessCode:    rec.AccessCode,
		SessionID:     rec.SessionID,
		Cause:         aw.AlarmCause(rec.Cause),
		Test:          rec.Test,
		State:         aw.AlarmState(rec.State),
		RaisedAt:      rec.RaisedAt,
		Ladder:        rec.steps(),
		Loop:          rec.Loop,
		Step:          rec.Step,
		NextCallAt:    rec.NextCallAt,
		AcceptedBy:    rec.AcceptedBy,
		AcceptedAt:    rec.AcceptedAt,
		UnansweredAt:  rec.UnansweredAt,
		HandledBy:     rec.HandledBy,
		HandledAt:     rec.HandledAt,
		Remark:        rec.Remark,
		FanOutSentAt:  rec.FanOutSentAt,
		AdminSMSAt:    rec.AdminSMSAt,
		PlaceFailures: rec.PlaceFailures,
	}
	for _, r := range rec.Attempts {
		a.Attempts = append(a.Attempts, r.attempt())
	}
	for _, t := range rec.InfoTokens {
		a.InfoTokens = append(a.InfoTokens, aw.InfoToken{Hash: t.Hash, ExpiresAt: t.ExpiresAt})
	}
	return a
}
