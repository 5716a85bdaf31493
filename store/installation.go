package store

import (
	"context"
	"maps"

	aw "alleenwerken"

	bolt "go.etcd.io/bbolt"
)

// installationKey holds the installation in the settings bucket.
var installationKey = []byte("installation")

// installationRecord is how the installation is stored: in its own JSON
// form, the trunk without its endpoint (that follows the settings). SIP and
// ARI need the passwords themselves, so they are sealed with the key file
// (secret.go), not hashed.
type installationRecord aw.Installation

// recordInstallation names the installation in the secrets' bookkeeping.
const recordInstallation = "installation"

// Installation returns the stored installation; an empty one when none is
// stored.
func (db *DB) Installation(ctx context.Context) (aw.Installation, error) {
	var in aw.Installation
	err := db.view(ctx, func(tx *bolt.Tx) error {
		var rec installationRecord
		if ok, err := getJSON(tx.Bucket(settingsBucket), installationKey, &rec); err != nil || !ok {
			return err
		}
		db.openAll(recordInstallation, rec.eachSecret)
		in = aw.Installation(rec)
		return nil
	})
	return in, err
}

// SaveInstallation stores the installation (fsynced before it returns),
// its secrets sealed. A secret that reads as empty because the key file
// cannot open it is kept as stored until it is entered again.
func (db *DB) SaveInstallation(ctx context.Context, in aw.Installation) error {
	if c := in.Connection; c != nil {
		v := *c
		if v.ARIPassword == "" && db.isUnopened(recordInstallation, fieldARIPassword) {
			v.ARIPassword = "kept" // as stored, see keepUnopened
		}
		if err := v.Validate(); err != nil {
			return err
		}
	}
	// A copy to seal: the caller's values keep the passwords as typed.
	rec := installationRecord{ExtensionPasswords: maps.Clone(in.ExtensionPasswords)}
	if in.Trunk != nil {
		t := *in.Trunk
		t.Endpoint = ""
		rec.Trunk = &t
	}
	if in.Connection != nil {
		c := *in.Connection
		rec.Connection = &c
	}
	return db.putSealed(ctx, recordInstallation, installationKey, &rec, &installationRecord{})
}

// The names the installation's secrets are sealed under (the extension
// number follows fieldExtensionPassword), so that one cannot be swapped for
// another in the file.
const (
	fieldTrunkPassword     = "trunk_password"
	fieldExtensionPassword = "extension_password:"
	fieldARIPassword       = "ari_password"
)

// eachSecret calls fn with each secret of rec and its field; fn may
// change it.
func (rec *installationRecord) eachSecret(fn func(field string, v *string)) {
	if rec.Trunk != nil {
		fn(fieldTrunkPassword, &rec.Trunk.Password)
	}
	for n, pw := range rec.ExtensionPasswords {
		fn(fieldExtensionPassword+n, &pw)
		rec.ExtensionPasswords[n] = pw
	}
	if rec.Connection != nil {
		fn(fieldARIPassword, &rec.Connection.ARIPassword)
	}
}
