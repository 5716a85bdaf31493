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

// PBXConfig changes the appliance's own Asterisk without a shell: trunk and
// extensions take effect at once (res_pjsip reload), prompts in the next call.
type PBXConfig interface {
	ApplyTrunk(ctx context.Context, t Trunk) error
	ApplyExtensions(ctx context.Context, xs []ExtensionSecret) error
	InstallPrompt(ctx context.Context, lang, name string, wav io.Reader) error
}
