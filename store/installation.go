package store

import (
	"context"
	"maps"

	aw "alleenwerken"

	bolt "go.etcd.io/bbolt"
)

// installationKey holds the installation in the settings bucket.
var installationKey = []byte("installation")

// installationRecord is how the installation is stored. SIP and ARI need the
// passwords themselves, so they are sealed with the key file (secret.go),
// not hashed.
type installationRecord struct {
	Trunk              *trunkRecord      `json:"trunk,omitempty"`
	ExtensionPasswords map[string]string `json:"extension_passwords,omitempty"`
	Connection         *connectionRecord `json:"connection,omitempty"`
}

type trunkRecord struct {
	Host     string `json:"host"`
	User     string `json:"user"`
	Password string `json:"password"`
}

type connectionRecord struct {
	ARIURL      string   `json:"ari_url,omitempty"`
	ARIUser     string   `json:"ari_user,omitempty"`
	ARIPassword string   `json:"ari_password,omitempty"`
	ARIApp      string   `json:"ari_app"`
	NATSURL     string   `json:"nats_url,omitempty"`
	ModemPorts  []string `json:"modem_ports"`
}

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
		if t := rec.Trunk; t != nil {
			in.Trunk = &aw.Trunk{Host: t.Host, User: t.User, Password: t.Password}
		}
		in.ExtensionPasswords = rec.ExtensionPasswords
		if c := rec.Connection; c != nil {
			in.Connection = &aw.Connection{ARIURL: c.ARIURL, ARIUser: c.ARIUser, ARIPassword: c.ARIPassword,
				ARIApp: c.ARIApp, NATSURL: c.NATSURL, ModemPorts: c.ModemPorts}
		}
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
	rec := installationRecord{ExtensionPasswords: maps.Clone(in.ExtensionPasswords)}
	if t := in.Trunk; t != nil {
		rec.Trunk = &trunkRecord{Host: t.Host, User: t.User, Password: t.Password}
	}
	if c := in.Connection; c != nil {
		rec.Connection = &connectionRecord{ARIURL: c.ARIURL, ARIUser: c.ARIUser, ARIPassword: c.ARIPassword,
			ARIApp: c.ARIApp, NATSURL: c.NATSURL, ModemPorts: c.ModemPorts}
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
