package store

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"sort"
	"time"

	aw "alleenwerken"

	bolt "go.etcd.io/bbolt"
)

// deviceRecord is how a device is stored: the token only as its SHA-256.
type deviceRecord struct {
	ID        string     `json:"id"`
	Name      string     `json:"name"`
	TokenHash []byte     `json:"token_hash"`
	CreatedAt time.Time  `json:"created_at"`
	RevokedAt *time.Time `json:"revoked_at,omitempty"`
}

// errUnauthorizedDevice is the one answer for an unknown or revoked token, so
// the two cannot be told apart.
func errUnauthorizedDevice() error {
	return aw.Errorf(aw.EUNAUTHORIZED, "Onbekend of ingetrokken toestel.")
}

// CreateDevice assigns d an id and stores it with its token hash; EINVALID
// without a SHA-256 hash, ECONFLICT when the hash is taken.
func (db *DB) CreateDevice(ctx context.Context, d *aw.Device) error {
	if len(d.TokenHash) != sha256.Size {
		return aw.FieldError("token_hash", "Het toestel heeft geen geldige tokenhash.")
	}
	return db.update(ctx, func(tx *bolt.Tx) error {
		idx := tx.Bucket(devicesTokenHashBucket)
		if idx.Get(d.TokenHash) != nil {
			return aw.Errorf(aw.ECONFLICT, "Dit token is al in gebruik.")
		}
		d.ID = newID()
		if err := idx.Put(d.TokenHash, []byte(d.ID)); err != nil {
			return err
		}
		return saveDevice(tx, d)
	})
}

// AuthenticateDevice returns the device whose token this is; EUNAUTHORIZED
// when it is unknown or revoked.
func (db *DB) AuthenticateDevice(ctx context.Context, token string) (*aw.Device, error) {
	hash := aw.HashToken(token)
	var d *aw.Device
	err := db.view(ctx, func(tx *bolt.Tx) error {
		id := tx.Bucket(devicesTokenHashBucket).Get(hash)
		if id == nil {
			return errUnauthorizedDevice()
		}
		rec, err := findDeviceRecord(tx, string(id))
		if err != nil {
			return err
		}
		if subtle.ConstantTimeCompare(rec.TokenHash, hash) != 1 || rec.RevokedAt != nil {
			return errUnauthorizedDevice()
		}
		d = rec.device()
		return nil
	})
	if aw.ErrorCode(err) == aw.ENOTFOUND {
		return nil, errUnauthorizedDevice()
	} else if err != nil {
		return nil, err
	}
	return d, nil
}

// RevokeDevice revokes a device's token at now (the first revocation
// stands); ENOTFOUND for an unknown id.
func (db *DB) RevokeDevice(ctx context.Context, id string, now time.Time) error {
	return db.update(ctx, func(tx *bolt.Tx) error {
		rec, err := findDeviceRecord(tx, id)
		if err != nil {
			return err
		}
		if rec.RevokedAt != nil {
			return nil
		}
		d := rec.device()
		d.RevokedAt = &now
		return saveDevice(tx, d)
	})
}

// Devices returns every device, oldest first.
func (db *DB) Devices(ctx context.Context) ([]*aw.Device, error) {
	var out []*aw.Device
	err := db.view(ctx, func(tx *bolt.Tx) error {
		return tx.Bucket(devicesBucket).ForEach(func(k, _ []byte) error {
			rec, err := findDeviceRecord(tx, string(k))
			if err != nil {
				return err
			}
			out = append(out, rec.device())
			return nil
		})
	})
	sort.SliceStable(out, func(i, j int) bool { return out[i].CreatedAt.Before(out[j].CreatedAt) })
	return out, err
}

func findDeviceRecord(tx *bolt.Tx, id string) (*deviceRecord, error) {
	var rec deviceRecord
	if ok, err := getJSON(tx.Bucket(devicesBucket), []byte(id), &rec); err != nil {
		return nil, err
	} else if !ok {
		return nil, aw.Errorf(aw.ENOTFOUND, "Toestel %s niet gevonden.", id)
	}
	return &rec, nil
}

func saveDevice(tx *bolt.Tx, d *aw.Device) error {
	return putJSON(tx.Bucket(devicesBucket), []byte(d.ID), &deviceRecord{
		ID:        d.ID,
		Name:      d.Name,
		TokenHash: d.TokenHash,
		CreatedAt: d.CreatedAt,
		RevokedAt: timePtr(d.RevokedAt),
	})
}

func (rec *deviceRecord) device() *aw.Device {
	return &aw.Device{
		ID:        rec.ID,
		Name:      rec.Name,
		TokenHash: rec.TokenHash,
		CreatedAt: rec.CreatedAt,
		RevokedAt: rec.RevokedAt,
	}
}
