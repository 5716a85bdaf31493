package alleenwerken

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strings"
)

// InstallationServiceStore is the storage the installation service needs.
type InstallationServiceStore interface {
	InstallationStore
	SettingsStore
	AuditStore
}

// InstallationService changes what an installer sets up beside the
// settings: the connection to Asterisk and the modems, the SIM PIN, and
// the trunk, extension passwords and prompts of the appliance's own
// Asterisk. It holds the rules (a stored password never goes to an address
// it was not given for; secrets are never audited) and audits each change,
// whichever door it came through.
type InstallationService struct {
	store InstallationServiceStore
	auditor
	// PBX writes the trunk and extensions into Asterisk and installs
	// prompts; nil when the console does not manage Asterisk.
	PBX PBXConfig
	// Check, when set, tries a connection before it is stored (ARI
	// answers, the ports exist); its error refuses it unless forced.
	Check func(ctx context.Context, c Connection) error
}

// errNoPBX refuses a change to Asterisk when the console does not manage it.
var errNoPBX = Errorf(ENOTFOUND, "Deze centrale beheert Asterisk niet vanuit de console.")

// NewInstallationService returns an installation service on st.
func NewInstallationService(st InstallationServiceStore, clock Clock, log *slog.Logger) *InstallationService {
	return &InstallationService{store: st, auditor: newAuditor(st, clock, log)}
}

// Installation returns the stored installation.
func (s *InstallationService) Installation(ctx context.Context) (Installation, error) {
	return s.store.Installation(ctx)
}

// ConnectionForm is a connection as an installer typed it.
type ConnectionForm struct {
	Proxy                        bool   // ari-proxy over NATS
	ARIURL, ARIUser, ARIPassword string // an empty password keeps the stored one for the same address
	ARIApp, NATSURL              string //
	ModemPorts                   string // one a line or separated by commas
	Force                        bool   // store it even when Check fails
}

// ChangeConnection checks and stores a connection; base is the connection
// in use when none is stored (the config file's). It returns the stored
// connection, for the adapters to reconnect with. EINVALID names the
// field.
func (s *InstallationService) ChangeConnection(ctx context.Context, by Actor, base Connection, f ConnectionForm) (Connection, error) {
	configWrites.Lock()
	defer configWrites.Unlock()
	old, err := s.store.Installation(ctx)
	if err != nil {
		return Connection{}, err
	}
	cur := base
	if old.Connection != nil {
		cur = *old.Connection
	}
	next := Connection{ARIURL: strings.TrimSpace(f.ARIURL), ARIUser: strings.TrimSpace(f.ARIUser),
		ARIPassword: f.ARIPassword, ARIApp: strings.TrimSpace(f.ARIApp)}
	if f.Proxy {
		next.NATSURL = strings.TrimSpace(f.NATSURL)
	}
	if next.ARIPassword == "" && next.ARIURL == cur.ARIURL {
		// A stored password never goes to an address it was not given for.
		next.ARIPassword = cur.ARIPassword
	}
	for _, p := range splitList(f.ModemPorts) {
		if !slices.Contains(next.ModemPorts, p) {
			next.ModemPorts = append(next.ModemPorts, p)
		}
	}
	err = next.Validate()
	if (err == nil || ErrorField(err) == "ari_password") && next.ARIURL != "" && next.ARIPassword == "" {
		msg := "Vul het ARI-wachtwoord in."
		if cur.ARIPassword != "" && next.ARIURL != cur.ARIURL {
			msg = "Het ARI-adres is veranderd: vul het wachtwoord opnieuw in."
		}
		err = FieldError("ari_password", "%s", msg)
	}
	if err == nil && s.Check != nil && !f.Force {
		if err = s.Check(ctx, next); err != nil && ErrorCode(err) != EINVALID {
			err = FieldError("ari_url", "%s", err.Error())
		}
	}
	if err != nil {
		return next, err
	}
	in := old
	in.Connection = &next
	if err := s.store.SaveInstallation(ctx, in); err != nil {
		return next, err
	}
	for _, c := range [][3]string{
		{"ari_url", cur.ARIURL, next.ARIURL}, {"ari_user", cur.ARIUser, next.ARIUser}, {"ari_app", cur.ARIApp, next.ARIApp},
		{"nats_url", cur.NATSURL, next.NATSURL}, {"modem_ports", strings.Join(cur.ModemPorts, ", "), strings.Join(next.ModemPorts, ", ")},
	} {
		if c[1] != c[2] {
			s.audit(ctx, by, AuditEntry{Action: AuditConnection, Target: "verbinding", Field: c[0], Old: c[1], New: c[2]})
		}
	}
	if cur.ARIPassword != next.ARIPassword {
		s.audit(ctx, by, AuditEntry{Action: AuditConnection, Target: "verbinding", Field: "ari_password", New: SecretWord(next.ARIPassword)})
	}
	return next, nil
}

// ChangeSIMPIN stores the modems' SIM PIN (4 to 8 digits), or none with
// clear. The PIN itself is never logged or audited.
func (s *InstallationService) ChangeSIMPIN(ctx context.Context, by Actor, pin string, clear bool) error {
	configWrites.Lock()
	defer configWrites.Unlock()
	old, err := s.store.Settings(ctx)
	if err != nil {
		return err
	}
	next := old.clone()
	next.SIMPIN = strings.TrimSpace(pin)
	if clear {
		next.SIMPIN = ""
	} else if next.SIMPIN == "" {
		next.SIMPIN = "x" // refused below: an empty field is not a PIN
	}
	if err := next.Validate(); err != nil {
		return err
	}
	if err := s.store.SaveSettings(ctx, next); err != nil {
		return err
	}
	if old.SIMPIN != next.SIMPIN {
		s.audit(ctx, by, AuditEntry{Action: AuditSIMPIN, Target: "modem", Field: "sim_pin", New: SecretWord(next.SIMPIN)})
	}
	return nil
}

// ChangeTrunk sets the host, user and password of the SIP trunk (an empty
// password keeps the stored one for the same host), or with remove stops
// managing the trunk, and writes it into Asterisk. See applyPBX for the
// errors.
func (s *InstallationService) ChangeTrunk(ctx context.Context, by Actor, host, user, password string, remove bool) error {
	configWrites.Lock()
	defer configWrites.Unlock()
	old, set, err := s.current(ctx)
	if err != nil {
		return err
	}
	next := old
	host, user = strings.TrimSpace(host), strings.TrimSpace(user)
	if remove {
		next.Trunk = nil
	} else {
		if password == "" && old.Trunk != nil && old.Trunk.Host == host {
			password = old.Trunk.Password // never sent to a host it was not given for
		}
		if password == "" {
			msg := "Vul het wachtwoord van het trunkaccount in."
			if old.Trunk != nil {
				msg = "De host is veranderd: vul het wachtwoord opnieuw in."
			}
			return FieldError("trunk_password", "%s", msg)
		}
		next.Trunk = &Trunk{Host: host, User: user, Password: password}
	}
	err = s.applyPBX(ctx, set, next)
	if err != nil && !errors.Is(err, ErrNotReloaded) {
		return err
	}
	s.auditTrunk(ctx, by, set, old, next)
	return err
}

func (s *InstallationService) auditTrunk(ctx context.Context, by Actor, set Settings, old, next Installation) {
	var o, n Trunk
	if old.Trunk != nil {
		o = *old.Trunk
	}
	if next.Trunk != nil {
		n = *next.Trunk
	}
	target := "trunk " + set.TrunkEndpoint
	for _, f := range [][3]string{{"trunk_host", o.Host, n.Host}, {"trunk_user", o.User, n.User}} {
		if f[1] != f[2] {
			s.audit(ctx, by, AuditEntry{Action: AuditPBXChanged, Target: target, Field: f[0], Old: f[1], New: f[2]})
		}
	}
	if o.Password != n.Password {
		s.audit(ctx, by, AuditEntry{Action: AuditPBXChanged, Target: target, Field: "trunk_password", New: SecretWord(n.Password)})
	}
}

// ChangeExtensionPasswords sets the SIP password of configured extensions
// (by number; an extension not in passwords keeps its stored one), clears
// those in clear (left to the hand-written configuration), and writes them
// into Asterisk. See applyPBX for the errors.
func (s *InstallationService) ChangeExtensionPasswords(ctx context.Context, by Actor, passwords map[string]string, clear map[string]bool) error {
	configWrites.Lock()
	defer configWrites.Unlock()
	old, set, err := s.current(ctx)
	if err != nil {
		return err
	}
	next := old
	next.ExtensionPasswords = map[string]string{}
	var changed []string
	for _, x := range set.Extensions {
		pw := old.ExtensionPasswords[x.Number]
		if v := passwords[x.Number]; v != "" {
			pw = v
		}
		if clear[x.Number] {
			pw = ""
		}
		if pw != "" {
			next.ExtensionPasswords[x.Number] = pw
		}
		if pw != old.ExtensionPasswords[x.Number] {
			changed = append(changed, x.Number)
		}
	}
	err = s.applyPBX(ctx, set, next)
	if err != nil && !errors.Is(err, ErrNotReloaded) {
		return err
	}
	for _, n := range changed {
		s.audit(ctx, by, AuditEntry{Action: AuditPBXChanged, Target: "toestel " + n, Field: "password", New: SecretWord(next.ExtensionPasswords[n])})
	}
	return err
}

// RewritePBX writes the stored trunk and extensions into Asterisk under
// settings set (about to be stored: another trunk endpoint or extension
// list), when the console manages any; nothing is stored. A field error
// means Asterisk refuses them (a name written by hand); an error wrapping
// ErrNotReloaded means written, loaded when Asterisk runs.
func (s *InstallationService) RewritePBX(ctx context.Context, set Settings) error {
	in, err := s.store.Installation(ctx)
	if err != nil || s.PBX == nil || !in.ManagesPBX() {
		return err
	}
	t, xs := in.PBXSetup(set)
	return s.PBX.Apply(ctx, t, xs)
}

// current returns the stored installation and settings.
func (s *InstallationService) current(ctx context.Context) (Installation, Settings, error) {
	in, err := s.store.Installation(ctx)
	if err != nil {
		return in, Settings{}, err
	}
	set, err := s.store.Settings(ctx)
	return in, set, err
}

// applyPBX writes the trunk and extensions of next into Asterisk, then
// stores next. The error is nil, a field error (nothing written or
// stored), one wrapping ErrNotReloaded (written and stored, loaded when
// Asterisk runs), or another error (nothing stored).
func (s *InstallationService) applyPBX(ctx context.Context, set Settings, next Installation) error {
	if s.PBX == nil {
		return errNoPBX
	}
	t, xs := next.PBXSetup(set)
	err := s.PBX.Apply(ctx, t, xs)
	if err != nil && !errors.Is(err, ErrNotReloaded) {
		return err
	}
	if serr := s.store.SaveInstallation(ctx, next); serr != nil {
		return serr
	}
	if err != nil {
		s.log.Warn("pbx written but not reloaded", "err", err)
	}
	return err
}

// InstallPrompt checks an uploaded WAV for one prompt in one language and
// installs it; it plays from the next call. EINVALID names the field
// "prompt" (an unknown prompt or language), "prompt_file" (not a WAV) or
// "prompt_convert" (a WAV that cannot be converted).
func (s *InstallationService) InstallPrompt(ctx context.Context, by Actor, lang, name, filename string, size int64, wav io.ReadSeeker) error {
	if s.PBX == nil {
		return errNoPBX
	}
	if !slices.Contains(Languages, lang) || !slices.Contains(s.PBX.Prompts(), name) {
		return FieldError("prompt", "Kies een opname en een taal uit de lijst.")
	}
	var head [12]byte
	if _, err := io.ReadFull(wav, head[:]); err != nil || string(head[0:4]) != "RIFF" || string(head[8:12]) != "WAVE" {
		return FieldError("prompt_file", "Dit is geen WAV-bestand.")
	}
	if _, err := wav.Seek(0, io.SeekStart); err != nil {
		return err
	}
	if err := s.PBX.InstallPrompt(ctx, lang, name, wav); err != nil {
		s.log.Warn("prompt not installed", "lang", lang, "prompt", name, "err", err)
		return FieldError("prompt_convert", "Het bestand kon niet omgezet worden.")
	}
	s.audit(ctx, by, AuditEntry{Action: AuditPromptUploaded, Target: lang + "/aw-" + name,
		Detail: fmt.Sprintf("%s, %d bytes", filename, size)})
	return nil
}

// SecretWord is what the audit log says instead of a secret.
func SecretWord(secret string) string {
	if secret == "" {
		return "(verwijderd)"
	}
	return "(gewijzigd)"
}
