package alleenwerken

import (
	"context"
	"net/url"
	"strings"
)

// Installation is what an installer sets up in the console beside the
// settings: the SIP secrets of the appliance's own Asterisk, and how the
// daemon reaches Asterisk and the modems. Passwords are stored, never shown
// back.
type Installation struct {
	// Trunk is the SIP trunk the console writes into Asterisk; nil when the
	// trunk is configured by hand. Its Endpoint follows
	// Settings.TrunkEndpoint.
	Trunk *Trunk `json:"trunk,omitempty"`
	// ExtensionPasswords holds the SIP password of each extension the
	// console writes into Asterisk, by extension number.
	ExtensionPasswords map[string]string `json:"extension_passwords,omitempty"`
	// Connection, when set, replaces the config file's ARI and modem keys.
	Connection *Connection `json:"connection,omitempty"`
}

// Connection is how the daemon reaches Asterisk (native ARI, or ari-proxy
// over NATS) and the GSM modems.
type Connection struct {
	ARIURL      string   `json:"ari_url"`
	ARIUser     string   `json:"ari_user"`
	ARIPassword string   `json:"ari_password"` // never shown back
	ARIApp      string   `json:"ari_app"`
	NATSURL     string   `json:"nats_url"` // set: ari-proxy over NATS
	ModemPorts  []string `json:"modem_ports"`
}

// Validate checks a connection; errors name the field.
func (c *Connection) Validate() error {
	if c.NATSURL == "" {
		u, err := url.Parse(c.ARIURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return FieldError("ari_url", "Het ARI-adres begint met http:// of https://, bijvoorbeeld http://127.0.0.1:8088/ari.")
		}
		if c.ARIUser == "" {
			return FieldError("ari_user", "Vul de ARI-gebruiker in.")
		}
		if c.ARIPassword == "" {
			return FieldError("ari_password", "Vul het ARI-wachtwoord in.")
		}
	} else {
		u, err := url.Parse(c.NATSURL)
		if err != nil || (u.Scheme != "nats" && u.Scheme != "tls") || u.Host == "" {
			return FieldError("nats_url", "Het NATS-adres begint met nats:// of tls://, bijvoorbeeld nats://10.0.0.5:4222.")
		}
	}
	if c.ARIApp == "" || strings.ContainsAny(c.ARIApp, " /?#") {
		return FieldError("ari_app", "Geef de naam van de Stasis-applicatie, zonder spaties.")
	}
	if len(c.ModemPorts) == 0 {
		return FieldError("modem_ports", "Geef minstens één modempoort, bijvoorbeeld /dev/alleenwerken-modem.")
	}
	for _, p := range c.ModemPorts {
		if !strings.HasPrefix(p, "/dev/") || strings.ContainsAny(p, " \t") {
			return FieldError("modem_ports", "Een modempoort is een apparaat onder /dev/, bijvoorbeeld /dev/ttyUSB2.")
		}
	}
	return nil
}

// ManagesPBX reports whether the console writes anything into Asterisk:
// a trunk or an extension password.
func (in Installation) ManagesPBX() bool {
	return in.Trunk != nil || len(in.ExtensionPasswords) > 0
}

// SecretsMissing reports whether a stored trunk or extension password reads
// as empty: the key file could not open it (the console never stores an
// empty one). Written into Asterisk as it reads, it would drop a working
// account.
func (in Installation) SecretsMissing() bool {
	if in.Trunk != nil && in.Trunk.Password == "" {
		return true
	}
	for _, pw := range in.ExtensionPasswords {
		if pw == "" {
			return true
		}
	}
	return false
}

// PBXSetup returns what the console writes into Asterisk for these
// settings: the trunk (named after Settings.TrunkEndpoint) and every
// configured extension that has a password here.
func (in Installation) PBXSetup(s Settings) (*Trunk, []ExtensionSecret) {
	var t *Trunk
	if in.Trunk != nil {
		c := *in.Trunk
		c.Endpoint = s.TrunkEndpoint
		t = &c
	}
	var xs []ExtensionSecret
	for _, x := range s.Extensions {
		if pw := in.ExtensionPasswords[x.Number]; pw != "" {
			xs = append(xs, ExtensionSecret{Extension: x, Password: pw})
		}
	}
	return t, xs
}

// InstallationStore keeps the installation.
type InstallationStore interface {
	// Installation returns the stored installation (empty when none).
	Installation(ctx context.Context) (Installation, error)
	// SaveInstallation stores the installation durably.
	SaveInstallation(ctx context.Context, in Installation) error
}
