package main

import (
	"bufio"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	aw "alleenwerken"
)

// The config file holds what the daemon needs to start. Format: one
// "key = value" per line, "#" starts a comment. See alleenwerken.conf.example.

//go:embed demo.conf
var demoConfig string

// Config is the daemon's start-up configuration.
type Config struct {
	Listen      string // app API and console, e.g. 127.0.0.1:8080
	Database    string // bbolt file
	AdminSocket string // unix socket for the admin commands
	BackupDir   string // daily backups, the newest 7 kept; "" disables
	SecretKey   string // secret_key: seals the stored passwords and SIM PIN; default <database>.key
	Demo        bool   // simulated telephony and modem
	LogLevel    string
	TLSCert     string
	TLSKey      string

	ARIURL      string // http://127.0.0.1:8088/ari
	ARIUser     string
	ARIPassword string
	ARIApp      string
	NATSURL     string // set for ari-proxy over NATS instead of native ARI

	ModemPorts []string // modem.port, modem.port2

	AsteriskConfigDir string // asterisk.config_dir: pjsip.conf and the console's alleenwerken/ folder
	AsteriskSoundsDir string // asterisk.sounds_dir: <lang>/aw-*.wav prompts

	Settings aw.Settings // seeds the stored settings on first start
	set      map[string]bool
}

// DefaultConfig returns a config with every default filled in.
func DefaultConfig() Config {
	return Config{
		AdminSocket: "/run/alleenwerken/admin.sock",
		BackupDir:   "/var/lib/alleenwerken/backups",
		LogLevel:    "info",
		ARIApp:      "alleenwerken",

		AsteriskConfigDir: "/etc/asterisk",
		AsteriskSoundsDir: "/usr/share/asterisk/sounds",
		Settings:          aw.DefaultSettings(),
		set:               map[string]bool{},
	}
}

// ReadConfigFile reads and validates a config file.
func ReadConfigFile(path string) (Config, error) {
	f, err := os.Open(path)
	if err != nil {
		return Config{}, fmt.Errorf("config: %w", err)
	}
	defer f.Close()
	return ParseConfig(f)
}

// ParseConfig reads "key = value" lines over DefaultConfig and validates the
// result. Errors name the key and the line.
func ParseConfig(r io.Reader) (Config, error) {
	c := DefaultConfig()
	sc := bufio.NewScanner(r)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			return c, fmt.Errorf("config line %d: expected key = value", n)
		}
		k, v = strings.TrimSpace(k), strings.TrimSpace(v)
		if err := c.setKey(k, v); err != nil {
			return c, fmt.Errorf("config line %d: key %s: %w", n, k, err)
		}
		c.set[k] = true
	}
	if err := sc.Err(); err != nil {
		return c, err
	}
	return c, c.Validate()
}

func (c *Config) setKey(k, v string) error {
	s := &c.Settings
	var err error
	switch k {
	case "listen":
		c.Listen = v
	case "database":
		c.Database = v
	case "admin_socket":
		c.AdminSocket = v
	case "backup_dir":
		c.BackupDir = v
	case "secret_key":
		c.SecretKey = v
	case "demo":
		c.Demo, err = strconv.ParseBool(v)
	case "log.level":
		c.LogLevel = v
	case "tls.cert":
		c.TLSCert = v
	case "tls.key":
		c.TLSKey = v
	case "ari.url":
		c.ARIURL = v
	case "ari.user":
		c.ARIUser = v
	case "ari.password":
		c.ARIPassword = v
	case "ari.app":
		c.ARIApp = v
	case "asterisk.config_dir":
		c.AsteriskConfigDir = v
	case "asterisk.sounds_dir":
		c.AsteriskSoundsDir = v
	case "nats.url":
		c.NATSURL = v
	case "modem.port":
		c.ModemPorts = append([]string{v}, c.ModemPorts...)
	case "modem.port2":
		c.ModemPorts = append(c.ModemPorts, v)
	case "modem.pin":
		c.Settings.SIMPIN = v // seeds the stored settings
	default:
		// The run-time settings, as declared in alleenwerken.SettingDefs.
		key, ok := strings.CutPrefix(k, "settings.")
		d, known := aw.SettingByKey(key)
		if !ok || !known {
			return fmt.Errorf("unknown key")
		}
		if err := d.Set(s, v); err != nil {
			return errors.New(aw.ErrorMessage(err))
		}
	}
	return err
}

// Connection is the config file's connection to Asterisk and the modems;
// one saved in the console replaces it.
func (c Config) Connection() aw.Connection {
	return aw.Connection{ARIURL: c.ARIURL, ARIUser: c.ARIUser, ARIPassword: c.ARIPassword, ARIApp: c.ARIApp,
		NATSURL: c.NATSURL, ModemPorts: append([]string(nil), c.ModemPorts...)}
}

// Validate checks that every required key is there; errors name the key.
func (c *Config) Validate() error {
	for _, k := range []string{"listen", "database"} {
		if !c.set[k] {
			return fmt.Errorf("config: required key %q is missing", k)
		}
	}
	if !c.Demo {
		var missing []string
		if c.NATSURL == "" {
			for _, k := range []string{"ari.url", "ari.user", "ari.password"} {
				if !c.set[k] {
					missing = append(missing, k)
				}
			}
		}
		if len(c.ModemPorts) == 0 {
			missing = append(missing, "modem.port")
		}
		if len(missing) > 0 {
			return fmt.Errorf("config: no real telephony and SMS configured and demo is off: missing key(s) %s (set them, or set demo = true to run with simulated telephony and modem)", strings.Join(missing, ", "))
		}
	}
	if (c.TLSCert == "") != (c.TLSKey == "") {
		return fmt.Errorf("config: keys tls.cert and tls.key go together")
	}
	s := c.Settings
	if err := s.Validate(); err != nil {
		return fmt.Errorf("config: key settings.%s: %s", aw.ErrorField(err), aw.ErrorMessage(err))
	}
	c.Settings = s
	return nil
}

// secretKeyPath is the key file that seals the stored secrets: secret_key,
// or the database file's name with ".key" added.
func (c Config) secretKeyPath() string {
	if c.SecretKey != "" {
		return c.SecretKey
	}
	return c.Database + ".key"
}
