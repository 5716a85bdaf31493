package store

import (
	"context"

	"alleenwerken"

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

// Installation returns the stored installation; an empty one when none is
// stored.
func (db *DB) Installation(ctx context.Context) (alleenwerken.Installation, error) {
	var in alleenwerken.Installation
	err := db.view(ctx, func(tx *bolt.Tx) error {
		var rec installationRecord
		if ok, err := getJSON(tx.Bucket(settingsBucket), installationKey, &rec); err != nil || !ok {
			return err
		}
		k := db.secrets()
		if t := rec.Trunk; t != nil {
			in.Trunk = &alleenwerken.Trunk{Host: t.Host, User: t.User, Password: db.openSecret(k, fieldTrunkPassword, t.Password)}
		}
		for n, pw := range rec.ExtensionPasswords {
			if in.ExtensionPasswords == nil {
				in.ExtensionPasswords = map[string]string{}
			}
			in.ExtensionPasswords[n] = db.openSecret(k, fieldExtensionPassword+n, pw)
		}
		if c := rec.Connection; c != nil {
			in.Connection = &alleenwerken.Connection{ARIURL: c.ARIURL, ARIUser: c.ARIUser, ARIPassword: db.openSecret(k, fieldARIPassword, c.ARIPassword),
				ARIApp: c.ARIApp, NATSURL: c.NATSURL, ModemPorts: c.ModemPorts}
		}
		return nil
	})
	return in, err
}

// SaveInstallation stores the installation (fsynced before it returns),
// its secrets sealed. A secret that reads as empty because the key file
// cannot open it is kept as stored until it is entered again.
func (db *DB) SaveInstallation(ctx context.Context, in alleenwerken.Installation) error {
	if c := in.Connection; c != nil {
		v := *c
		if v.ARIPassword == "" && db.isUnopened(fieldARIPassword) {
			v.ARIPassword = "kept" // as stored, see keepUnopened
		}
		if err := v.Validate(); err != nil {
			return err
		}
	}
	rec := installationRecord{}
	for n, pw := range in.ExtensionPasswords {
		if rec.ExtensionPasswords == nil {
			rec.ExtensionPasswords = map[string]string{}
		}
		rec.ExtensionPasswords[n] = pw
	}
	if t := in.Trunk; t != nil {
		rec.Trunk = &trunkRecord{Host: t.Host, User: t.User, Password: t.Password}
	}
	if c := in.Connection; c != nil {
		rec.Connection = &connectionRecord{ARIURL: c.ARIURL, ARIUser: c.ARIUser, ARIPassword: c.ARIPassword,
			ARIApp: c.ARIApp, NATSURL: c.NATSURL, ModemPorts: c.ModemPorts}
	}
	written := map[string]string{}
	rec.eachSecret(func(field string, v *string) { written[field] = *v })
	rec.sealWith(db.secrets())
	err := db.update(ctx, func(tx *bolt.Tx) error {
		b := tx.Bucket(settingsBucket)
		var old installationRecord
		if _, err := getJSON(b, installationKey, &old); err != nil {
			return err
		}
		stored := map[string]string{}
		old.eachSecret(func(field string, v *string) { stored[field] = *v })
		rec.eachSecret(func(field string, v *string) { *v = db.keepUnopened(field, *v, stored[field]) })
		return putJSON(b, installationKey, &rec)
	})
	if err == nil {
		db.noteStored(written, fieldTrunkPassword, fieldARIPassword, fieldExtensionPassword)
	}
	return err
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

// sealWith seals the secrets of rec still stored as typed; it reports
// whether any was.
func (rec *installationRecord) sealWith(k *secretKey) bool {
	if k == nil {
		return false
	}
	changed := false
	rec.eachSecret(func(field string, v *string) {
		if s := k.seal(field, *v); s != *v {
			*v, changed = s, true
		}
	})
	return changed
}
