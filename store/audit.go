package store

import (
	"context"
	"encoding/json"

	aw "alleenwerken"

	bolt "go.etcd.io/bbolt"
)

// auditBucket holds the audit log, keyed by sequence number. It is created
// on the first write (allBuckets predates it).
var auditBucket = []byte("Audit")

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
		return putJSON(b, u64(seq), e) // stored in its own JSON form

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
			e := &aw.AuditEntry{}
			if err := json.Unmarshal(v, e); err != nil {
				return err
			}
			out = append(out, e)
		}
		return nil
	})
	return out, err
}
