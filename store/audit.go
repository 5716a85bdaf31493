package store

import (
	"context"
	"encoding/json"
	"time"

	aw "alleenwerken"

	bolt "go.etcd.io/bbolt"
)

// auditBucket holds the audit log, keyed by sequence number. It is created
// on the first write (allBuckets predates it).
var auditBucket = []byte("Audit")

// auditRecord is how an audit entry is stored.
type auditRecord struct {
	ID     uint64    `json:"id"`
	At     time.Time `json:"at"`
	Actor  string    `json:"actor"`
	Action string    `json:"action"`
	Target string    `json:"target,omitempty"`
	Field  string    `json:"field,omitempty"`
	Old    string    `json:"old,omitempty"`
	New    string    `json:"new,omitempty"`
	Detail string    `json:"detail,omitempty"`
	IP     string    `json:"ip,omitempty"`
}

// AppendAudit assigns e the next id and stores it.
func (db *DB) AppendAudit(ctx context.Context, e *aw.AuditEntry) error {
	return db.update(ctx, func(tx *bolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists(auditBucket)
		if err != nil {
			return err
		}
		seq, err := b.NextSequence()
		if err != nil {
			return err
		}
		e.ID = seq
		return putJSON(b, u64(seq), &auditRecord{
			ID: e.ID, At: e.At, Actor: e.Actor, Action: e.Action, Target: e.Target,
			Field: e.Field, Old: e.Old, New: e.New, Detail: e.Detail, IP: e.IP,
		})
	})
}

// AuditEntries returns entries newest first, at most limit (0: all).
func (db *DB) AuditEntries(ctx context.Context, limit int) ([]*aw.AuditEntry, error) {
	out := []*aw.AuditEntry{}
	err := db.view(ctx, func(tx *bolt.Tx) error {
		b := tx.Bucket(auditBucket)
		if b == nil {
			return nil
		}
		c := b.Cursor()
		for k, v := c.Last(); k != nil && (limit <= 0 || len(out) < limit); k, v = c.Prev() {
			var r auditRecord
			if err := json.Unmarshal(v, &r); err != nil {
				return err
			}
			out = append(out, &aw.AuditEntry{
				ID: r.ID, At: r.At, Actor: r.Actor, Action: r.Action, Target: r.Target,
				Field: r.Field, Old: r.Old, New: r.New, Detail: r.Detail, IP: r.IP,
			})
		}
		return nil
	})
	return out, err
}
