package store

import (
	"context"
	"time"

	aw "alleenwerken"

	bolt "go.etcd.io/bbolt"
)

// settingsRecord is how the settings are stored; durations in nanoseconds.
type settingsRecord struct {
	FallbackNumber   string   `json:"fallback_number,omitempty"`
	AdminNumbers     []string `json:"admin_numbers,omitempty"`
	CancelWindow     int64    `json:"cancel_window_ns"`
	ReminderLead     int64    `json:"reminder_lead_ns"`
	DefaultExtension int64    `json:"default_extension_ns"`
	RingTimeout      int64    `json:"ring_timeout_ns"`
	PromptRepeats    int      `json:"prompt_repeats"`
	LadderLoops      int      `json:"ladder_loops"`
	LoopPause        *int64   `json:"loop_pause_ns,omitempty"` // absent in settings stored before it: the default
	RepeatInterval   int64    `json:"repeat_interval_ns"`
	// UnhandledReminder: 0 in settings stored before it (read as the
	// default).
	UnhandledReminder int64             `json:"unhandled_reminder_ns,omitempty"`
	SimultaneousCall  int               `json:"simultaneous_calls"`
	Language          string            `json:"language"`
	TimeZone          string            `json:"time_zone"`
	PublicBaseURL     string            `json:"public_base_url"`
	CallerID          string            `json:"caller_id,omitempty"`
	DialTemplate      string            `json:"dial_template"`
	TrunkEndpoint     string            `json:"trunk_endpoint,omitempty"`
	Extensions        []extensionRecord `json:"extensions,omitempty"`
	SIMPIN            string            `json:"sim_pin,omitempty"`
}

// extensionRecord is how an internal extension is stored.
type extensionRecord struct {
	Number   string `json:"number"`
	Name     string `json:"name,omitempty"`
	Endpoint string `json:"endpoint,omitempty"`
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
	pause := int64(s.LoopPause)
	rec := &settingsRecord{
		FallbackNumber:    s.FallbackNumber,
		AdminNumbers:      s.AdminNumbers,
		CancelWindow:      int64(s.CancelWindow),
		ReminderLead:      int64(s.ReminderLead),
		DefaultExtension:  int64(s.DefaultExtension),
		RingTimeout:       int64(s.RingTimeout),
		PromptRepeats:     s.PromptRepeats,
		LadderLoops:       s.LadderLoops,
		LoopPause:         &pause,
		RepeatInterval:    int64(s.RepeatInterval),
		UnhandledReminder: int64(s.UnhandledReminder),
		SimultaneousCall:  s.SimultaneousCall,
		Language:          s.Language,
		TimeZone:          s.TimeZone,
		PublicBaseURL:     s.PublicBaseURL,
		CallerID:          s.CallerID,
		DialTemplate:      s.DialTemplate,
		TrunkEndpoint:     s.TrunkEndpoint,
		SIMPIN:            s.SIMPIN,
	}
	for _, x := range s.Extensions {
		rec.Extensions = append(rec.Extensions, extensionRecord{Number: x.Number, Name: x.Name, Endpoint: x.Endpoint})
	}
	return rec
}

func (rec *settingsRecord) settings() aw.Settings {
	s := aw.Settings{
		FallbackNumber:    rec.FallbackNumber,
		AdminNumbers:      rec.AdminNumbers,
		CancelWindow:      time.Duration(rec.CancelWindow),
		ReminderLead:      time.Duration(rec.ReminderLead),
		DefaultExtension:  time.Duration(rec.DefaultExtension),
		RingTimeout:       time.Duration(rec.RingTimeout),
		PromptRepeats:     rec.PromptRepeats,
		LadderLoops:       rec.LadderLoops,
		RepeatInterval:    time.Duration(rec.RepeatInterval),
		UnhandledReminder: time.Duration(rec.UnhandledReminder),
		SimultaneousCall:  rec.SimultaneousCall,
		Language:          rec.Language,
		TimeZone:          rec.TimeZone,
		PublicBaseURL:     rec.PublicBaseURL,
		CallerID:          rec.CallerID,
		DialTemplate:      rec.DialTemplate,
		TrunkEndpoint:     rec.TrunkEndpoint,
		SIMPIN:            rec.SIMPIN,
	}
	if s.UnhandledReminder == 0 {
		s.UnhandledReminder = aw.DefaultSettings().UnhandledReminder
	}
	s.LoopPause = aw.DefaultSettings().LoopPause
	if rec.LoopPause != nil {
		s.LoopPause = time.Duration(*rec.LoopPause)
	}
	for _, x := range rec.Extensions {
		s.Extensions = append(s.Extensions, aw.Extension{Number: x.Number, Name: x.Name, Endpoint: x.Endpoint})
	}
	return s
}
