package store

import (
	"context"

	"alleenwerken"

	bolt "go.etcd.io/bbolt"
)

// installationKey holds the installation in the settings bucket.
var installationKey = []byte("installation")

// installationRecord is how the installation is stored. The file is 0600 and
// SIP needs the passwords themselves, so they are kept as entered.
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
		if t := rec.Trunk; t != nil {
			in.Trunk = &alleenwerken.Trunk{Host: t.Host, User: t.User, Password: t.Password}
		}
		in.ExtensionPasswords = rec.ExtensionPasswords
		if c := rec.Connection; c != nil {
			in.Connection = &alleenwerken.Connection{ARIURL: c.ARIURL, ARIUser: c.ARIUser, ARIPassword: c.ARIPassword,
				ARIApp: c.ARIApp, NATSURL: c.NATSURL, ModemPorts: c.ModemPorts}
		}
		return nil
	})
	return in, err
}

// SaveInstallation stores the installation (fsynced before it returns).
func (db *DB) SaveInstallation(ctx context.Context, in alleenwerken.Installation) error {
	rec := installationRecord{ExtensionPasswords: in.ExtensionPasswords}
	if t := in.Trunk; t != nil {
		rec.Trunk = &trunkRecord{Host: t.Host, User: t.User, Password: t.Password}
	}
	if c := in.Connection; c != nil {
		if err := c.Validate(); err != nil {
			return err
		}
		rec.Connection = &connectionRecord{ARIURL: c.ARIURL, ARIUser: c.ARIUser, ARIPassword: c.ARIPassword,
			ARIApp: c.ARIApp, NATSURL: c.NATSURL, ModemPorts: c.ModemPorts}
	}
	return db.update(ctx, func(tx *bolt.Tx) error {
		return putJSON(tx.Bucket(settingsBucket), installationKey, &rec)
	})
}
