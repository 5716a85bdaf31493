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

// deviceRecord is how a device is stored: the device's own JSON form and
// the SHA-256 of its token, which that form leaves out.
type deviceRecord struct {
	*aw.Device
	TokenHash []byte `json:"token_hash"`
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
		found, err := findDevice(tx, string(id))
		if err != nil {
			return err
		}
		if subtle.ConstantTimeCompare(found.TokenHash, hash) != 1 || found.RevokedAt != nil {
			return errUnauthorizedDevice()
		}
		d = found
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
		d, err := findDevice(tx, id)
		if err != nil {
			return err
		}
		if d.RevokedAt != nil {
			return nil
		}
		d.RevokedAt = &now
		return saveDevice(tx, d)
	})
}

// Devices returns every device, oldest first.
func (db *DB) Devices(ctx context.Context) ([]*aw.Device, error) {
	var out []*aw.Device
	err := db.view(ctx, func(tx *bolt.Tx) error {
		return tx.Bucket(devicesBucket).ForEach(func(k, _ []byte) error {
			d, err := findDevice(tx, string(k))
			if err != nil {
				return err
			}
			out = append(out, d)
			return nil
		})
	})
	sort.SliceStable(out, func(i, j int) bool { return out[i].CreatedAt.Before(out[j].CreatedAt) })
	return out, err
}

// findDevice loads a device with its token hash, or ENOTFOUND.
func findDevice(tx *bolt.Tx, id string) (*aw.Device, error) {
	rec := deviceRecord{Device: &aw.Device{}}
	if ok, err := getJSON(tx.Bucket(devicesBucket), []byte(id), &rec); err != nil {
		return nil, err
	} else if !ok {
		return nil, aw.Errorf(aw.ENOTFOUND, "Toestel %s niet gevonden.", id)
	}
	rec.Device.TokenHash = rec.TokenHash
	return rec.Device, nil
}

func saveDevice(tx *bolt.Tx, d *aw.Device) error {
	return putJSON(tx.Bucket(devicesBucket), []byte(d.ID), deviceRecord{Device: d, TokenHash: d.TokenHash})
}
