package store

import (
	"context"
	"encoding/json"
	"time"

	aw "alleenwerken"

	bolt "go.etcd.io/bbolt"
)

// settingsRecord is how the settings are stored: every setting under its
// own JSON name (aw.Settings'), the SIM PIN sealed. A setting missing from
// a stored record (one added after it was written) reads as its default,
// so a new setting costs the store nothing.
type settingsRecord struct {
	*aw.Settings
	SIMPIN string `json:"sim_pin,omitempty"`
}

// legacySettings are the durations as settings were stored before they
// were stored in their own form: nanoseconds under "<key>_ns".
type legacySettings struct {
	CancelWindow     *int64 `json:"cancel_window_ns"`
	ReminderLead     *int64 `json:"reminder_lead_ns"`
	DefaultExtension *int64 `json:"default_extension_ns"`
	RingTimeout      *int64 `json:"ring_timeout_ns"`
	RepeatInterval   *int64 `json:"repeat_interval_ns"`
}

// UnmarshalJSON reads a stored record over the defaults, in its own form
// or in the older one.
func (rec *settingsRecord) UnmarshalJSON(b []byte) error {
	s := aw.DefaultSettings()
	var raw struct {
		*aw.Settings
		SIMPIN string `json:"sim_pin"`
		legacySettings
	}
	raw.Settings = &s
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	for _, d := range []struct {
		ns *int64
		to *time.Duration
	}{
		{raw.legacySettings.CancelWindow, &s.CancelWindow}, {raw.legacySettings.ReminderLead, &s.ReminderLead},
		{raw.legacySettings.DefaultExtension, &s.DefaultExtension}, {raw.legacySettings.RingTimeout, &s.RingTimeout},
		{raw.legacySettings.RepeatInterval, &s.RepeatInterval},
	} {
		if d.ns != nil {
			*d.to = time.Duration(*d.ns)
		}
	}
	if raw.legacySettings.CancelWindow != nil {
		// The older form left an empty trunk endpoint out; its default is
		// not empty.
		var keys map[string]json.RawMessage
		if err := json.Unmarshal(b, &keys); err != nil {
			return err
		}
		if _, ok := keys["trunk_endpoint"]; !ok {
			s.TrunkEndpoint = ""
		}
	}
	rec.Settings, rec.SIMPIN = &s, raw.SIMPIN
	return nil
}

// Settings returns the stored settings, or DefaultSettings when none are
// stored.
func (db *DB) Settings(ctx context.Context) (aw.Settings, error) {
	s := aw.DefaultSettings()
	err := db.view(ctx, func(tx *bolt.Tx) error {
		var rec settingsRecord
		if ok, err := getJSON(tx.Bucket(settingsBucket), settingsKey, &rec); err != nil || !ok {
			return err
		}
		db.openAll(recordSettings, rec.eachSecret)
		s = rec.settings()
		return nil
	})
	return s, err
}

// SaveSettings validates s (returning its error unchanged) and stores it.
func (db *DB) SaveSettings(ctx context.Context, s aw.Settings) error {
	if err := s.Validate(); err != nil {
		return err
	}
	return db.putSealed(ctx, recordSettings, settingsKey, newSettingsRecord(s), &settingsRecord{})
}

// SeedSettings validates and stores s only when no settings are stored yet;
// it reports whether it did.
func (db *DB) SeedSettings(ctx context.Context, s aw.Settings) (bool, error) {
	if err := s.Validate(); err != nil {
		return false, err
	}
	seeded := false
	err := db.update(ctx, func(tx *bolt.Tx) error {
		b := tx.Bucket(settingsBucket)
		if b.Get(settingsKey) != nil {
			return nil
		}
		seeded = true
		rec := newSettingsRecord(s)
		db.secrets().sealAll(rec.eachSecret)
		return putJSON(b, settingsKey, rec)
	})
	return seeded && err == nil, err
}

// The settings in the secrets' bookkeeping, and the field the SIM PIN is
// sealed under.
const (
	recordSettings = "settings"
	fieldSIMPIN    = "sim_pin"
)

// eachSecret visits the settings' one secret, the SIM PIN.
func (rec *settingsRecord) eachSecret(fn func(field string, v *string)) {
	fn(fieldSIMPIN, &rec.SIMPIN)
}

// newSettingsRecord is s as stored (its SIM PIN as typed).
func newSettingsRecord(s aw.Settings) *settingsRecord {
	return &settingsRecord{Settings: &s, SIMPIN: s.SIMPIN}
}

// settings returns the stored settings (the SIM PIN as opened).
func (rec *settingsRecord) settings() aw.Settings {
	s := *rec.Settings
	s.SIMPIN = rec.SIMPIN
	return s
}
