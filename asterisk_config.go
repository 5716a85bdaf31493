package alleenwerken

import (
	"context"
	"io"
)

// Trunk is the SIP trunk as the installer enters it. Endpoint is the PJSIP
// endpoint name the dial template points at (e.g. PJSIP/{e164}@<Endpoint>).
type Trunk struct {
	Endpoint string `json:"endpoint"`
	Host     string `json:"host"` // registrar/proxy, host[:port]
	User     string `json:"user"`
	Password string `json:"password"` // stored, never shown back
}

// ExtensionSecret is an internal extension with its SIP password, for the
// appliance's own Asterisk.
type ExtensionSecret struct {
	Extension
	Password string `json:"password"` // stored, never shown back
}

// ErrNotReloaded wraps a PBX error where the configuration was written but
// Asterisk could not reload it (Asterisk down): it takes effect when
// Asterisk starts.
var ErrNotReloaded = Errorf(EUNAVAILABLE, "Asterisk kon de nieuwe instellingen niet laden; ze worden actief zodra Asterisk weer draait.")

// PBXConfig changes the appliance's own Asterisk without a shell: trunk and
// extensions take effect at once (res_pjsip reload), prompts in the next call.
type PBXConfig interface {
	// Apply writes the whole PBX setup (trunk nil: none from the console)
	// and reloads it. A validation error names the field; an error wrapping
	// ErrNotReloaded means it was written but not yet loaded.
	Apply(ctx context.Context, trunk *Trunk, xs []ExtensionSecret) error
	// InstallPrompt converts and installs an uploaded WAV as prompt
	// aw-<name> in language lang; it plays in the next call.
	InstallPrompt(ctx context.Context, lang, name string, wav io.Reader) error
	// Prompts lists the prompt names an installer may replace.
	Prompts() []string
}
