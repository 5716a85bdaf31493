package store

import (
	"context"

	bolt "go.etcd.io/bbolt"
)

// secretRecord is a stored record that holds secrets: the settings (the SIM
// PIN) and the installation (the SIP and ARI passwords).
type secretRecord interface {
	eachSecret(fn func(field string, v *string))
}

// secretRecords are the records that hold secrets, by their name in the
// secrets' bookkeeping and their key in the settings bucket.
var secretRecords = []struct {
	name string
	key  []byte
	zero func() secretRecord
}{
	{recordSettings, settingsKey, func() secretRecord { return &settingsRecord{} }},
	{recordInstallation, installationKey, func() secretRecord { return &installationRecord{} }},
}

// eachSecretRecord calls fn with the secrets of every stored record that
// holds them, as stored; a record fn reports changed is written back (tx
// must then be writable).
func eachSecretRecord(tx *bolt.Tx, fn func(each secretVisitor) (changed bool, err error)) error {
	b := tx.Bucket(settingsBucket)
	for _, r := range secretRecords {
		rec := r.zero()
		if ok, err := getJSON(b, r.key, rec); err != nil {
			return err
		} else if !ok {
			continue
		}
		changed, err := fn(rec.eachSecret)
		if err != nil {
			return err
		}
		if changed {
			if err := putJSON(b, r.key, rec); err != nil {
				return err
			}
		}
	}
	return nil
}

// putSealed stores rec under key, its secrets sealed; a secret that reads
// as empty only because the key file cannot open it keeps its stored value
// (old is filled with the record as stored).
func (db *DB) putSealed(ctx context.Context, name string, key []byte, rec, old secretRecord) error {
	db.secrets().sealAll(rec.eachSecret)
	var kept map[string]error
	err := db.update(ctx, func(tx *bolt.Tx) error {
		b := tx.Bucket(settingsBucket)
		if _, err := getJSON(b, key, old); err != nil {
			return err
		}
		kept = db.keepUnopened(name, rec.eachSecret, old.eachSecret)
		return putJSON(b, key, rec)
	})
	if err == nil {
		db.noteUnopened(name, kept)
	}
	return err
}
