package ari

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	aw "alleenwerken"
)

// PBXFile is the generated PJSIP include, relative to the config dir;
// pjsip.conf includes it with #tryinclude. Its folder is the only place in
// the config dir the daemon may write (owner alleenwerken, group asterisk,
// mode 2750).
const PBXFile = "alleenwerken/pjsip_alleenwerken.conf"

// PromptNames are the prompts an installer may replace (sound:aw-<name>).
var PromptNames = []string{
	"test", "intro", "cause-button", "cause-timer", "press1", "accepted", "sms-offer", "sms-sent",
	"report-number", "access-code", "again", "use-them", "thanks",
}

// PBX writes the trunk and extensions into a generated PJSIP include,
// reloads res_pjsip over ARI, and installs uploaded prompts. It implements
// aw.PBXConfig.
type PBX struct {
	ConfigDir string // Asterisk's config dir, e.g. /etc/asterisk
	SoundsDir string // Asterisk's sounds dir, e.g. /usr/share/asterisk/sounds
	ARI       Config // URL, Username, Password of ARI for the reload
	Transport string // PJSIP transport (default "transport-udp")
	Sox       string // sox binary (default "sox")

	mu sync.Mutex // one write at a time
}

var _ aw.PBXConfig = (*PBX)(nil)

var pbxName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$`)
var pbxHost = regexp.MustCompile(`^[A-Za-z0-9.\-\[\]:]{1,253}$`)
var pbxUser = regexp.MustCompile(`^[A-Za-z0-9_.+\-]{1,64}$`)

func pbxSecret(field, s string) error {
	if s == "" || len(s) > 128 {
		return aw.FieldError(field, "Een wachtwoord heeft 1 tot 128 tekens.")
	}
	if strings.ContainsAny(s, "\r\n;") {
		return aw.FieldError(field, "Een wachtwoord mag geen ; of regeleinde bevatten.")
	}
	return nil
}

// ValidateTrunk checks a trunk before it is written.
func ValidateTrunk(t aw.Trunk) error {
	if !pbxName.MatchString(t.Endpoint) {
		return aw.FieldError("trunk_endpoint", "Een endpointnaam bestaat uit letters, cijfers, - _ en .")
	}
	if !pbxHost.MatchString(t.Host) {
		return aw.FieldError("trunk_host", "Geef de host van de provider, host of host:poort.")
	}
	if !pbxUser.MatchString(t.User) {
		return aw.FieldError("trunk_user", "Geef de gebruikersnaam van het trunkaccount.")
	}
	return pbxSecret("trunk_password", t.Password)
}

// ValidateExtensions checks extensions before they are written.
func ValidateExtensions(xs []aw.ExtensionSecret) error {
	seen := map[string]bool{}
	for _, x := range xs {
		if err := x.Validate(); err != nil {
			return err
		}
		name := x.EndpointName()
		if !pbxName.MatchString(name) {
			return aw.FieldError("endpoint", "Een endpointnaam bestaat uit letters, cijfers, - _ en .")
		}
		if seen[name] {
			return aw.FieldError("endpoint", "Dit toestel staat er twee keer in.")
		}
		seen[name] = true
		if err := pbxSecret("password_"+x.Number, x.Password); err != nil {
			return err
		}
	}
	return nil
}

// Apply checks the trunk (nil: none) and the extensions, refuses names that
// clash with each other or with sections written by hand in pjsip.conf or
// pjsip_local.conf, writes the generated include and reloads res_pjsip. When
// only the reload fails the error wraps aw.ErrNotReloaded: the file
// is in place and Asterisk reads it when it starts.
func (p *PBX) Apply(ctx context.Context, t *aw.Trunk, xs []aw.ExtensionSecret) error {
	if t != nil {
		if err := ValidateTrunk(*t); err != nil {
			return err
		}
	}
	if err := ValidateExtensions(xs); err != nil {
		return err
	}
	if t != nil {
		for _, x := range xs {
			if x.EndpointName() == t.Endpoint {
				return aw.FieldError("trunk_endpoint", "De trunk heeft dezelfde naam als toestel %s.", x.Number)
			}
		}
	}
	hand, err := p.handSections()
	if err != nil {
		return err
	}
	if t != nil && hand[t.Endpoint] != "" {
		return aw.FieldError("trunk_endpoint", "De sectie [%s] staat met de hand in %s. Kies een andere trunknaam, of haal de sectie daar weg.", t.Endpoint, hand[t.Endpoint])
	}
	for _, x := range xs {
		if f := hand[x.EndpointName()]; f != "" {
			return aw.FieldError("password_"+x.Number, "Toestel %s staat met de hand in %s als [%s]. Haal het daar weg om het hier te beheren.", x.Number, f, x.EndpointName())
		}
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	path := filepath.Join(p.ConfigDir, PBXFile)
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return fmt.Errorf("ari: writing %s: %w", PBXFile, err)
	}
	if err := aw.WriteFileAtomic(path, 0o640, func(f *os.File) error {
		_, err := f.Write(p.Render(t, xs))
		return err
	}); err != nil {
		return fmt.Errorf("ari: writing %s: %w", PBXFile, err)
	}
	if err := reload(ctx, p.ARI); err != nil {
		return fmt.Errorf("%w (%v)", aw.ErrNotReloaded, err)
	}
	return nil
}

// SetARI changes the ARI the reloads go to (a connection changed in the
// console).
func (p *PBX) SetARI(cfg Config) {
	p.mu.Lock()
	p.ARI = cfg
	p.mu.Unlock()
}

// HandFiles are the PJSIP files an installer edits by hand; the console's
// names must not clash with their sections.
var HandFiles = []string{"pjsip.conf", "pjsip_local.conf"}

// handSections returns the section names of HandFiles, each with its file.
func (p *PBX) handSections() (map[string]string, error) {
	out := map[string]string{}
	for _, f := range HandFiles {
		b, err := os.ReadFile(filepath.Join(p.ConfigDir, f))
		if errors.Is(err, os.ErrNotExist) {
			continue
		} else if err != nil {
			return nil, fmt.Errorf("ari: reading %s: %w", f, err)
		}
		for _, line := range strings.Split(string(b), "\n") {
			line = strings.TrimSpace(line)
			if !strings.HasPrefix(line, "[") {
				continue
			}
			if i := strings.IndexByte(line, ']'); i > 1 {
				if _, ok := out[line[1:i]]; !ok {
					out[line[1:i]] = f
				}
			}
		}
	}
	return out, nil
}

// Prompts returns PromptNames.
func (p *PBX) Prompts() []string { return PromptNames }

// Render returns the generated include for a trunk (nil: none) and extensions.
func (p *PBX) Render(t *aw.Trunk, xs []aw.ExtensionSecret) []byte {
	tr := p.Transport
	if tr == "" {
		tr = "transport-udp"
	}
	var b bytes.Buffer
	b.WriteString("; Generated by Alleen Werken from the console; do not edit, changes are overwritten.\n")
	if t != nil {
		n := t.Endpoint
		fmt.Fprintf(&b, "\n[%s-auth]\ntype = auth\nauth_type = userpass\nusername = %s\npassword = %s\n", n, t.User, t.Password)
		fmt.Fprintf(&b, "\n[%s]\ntype = registration\ntransport = %s\noutbound_auth = %s-auth\nserver_uri = sip:%s\nclient_uri = sip:%s@%s\ncontact_user = %s\nexpiration = 300\nretry_interval = 30\nforbidden_retry_interval = 300\nmax_retries = 1000000\nline = yes\nendpoint = %s\n",
			n, tr, n, t.Host, t.User, t.Host, t.User, n)
		fmt.Fprintf(&b, "\n[%s]\ntype = aor\ncontact = sip:%s\nqualify_frequency = 30\nqualify_timeout = 3.0\n", n, t.Host)
		fmt.Fprintf(&b, "\n[%s]\ntype = endpoint\ntransport = %s\ncontext = from-trunk\naors = %s\noutbound_auth = %s-auth\ndisallow = all\nallow = alaw,ulaw\ndtmf_mode = rfc4733\ndirect_media = no\nrtp_symmetric = yes\nforce_rport = yes\nrewrite_contact = yes\nsend_pai = yes\n",
			n, tr, n, n)
		// No identify section: inbound calls are not taken, and matching the
		// provider by address could claim another endpoint's traffic.
	}
	for _, x := range xs {
		n := x.EndpointName()
		fmt.Fprintf(&b, "\n; %s %s\n[%s]\ntype = auth\nauth_type = userpass\nusername = %s\npassword = %s\n", x.Number, strings.NewReplacer("\n", " ", "\r", " ").Replace(x.Name), n, n, x.Password)
		fmt.Fprintf(&b, "\n[%s]\ntype = aor\nmax_contacts = 1\nremove_existing = yes\nqualify_frequency = 30\n", n)
		fmt.Fprintf(&b, "\n[%s]\ntype = endpoint\ntransport = %s\ncontext = internal\naors = %s\nauth = %s\ndisallow = all\nallow = alaw,ulaw\ndtmf_mode = rfc4733\ndirect_media = no\nrtp_symmetric = yes\nforce_rport = yes\nrewrite_contact = yes\n", n, tr, n, n)
	}
	return b.Bytes()
}

// Reload reloads res_pjsip over ARI (PUT /asterisk/modules/res_pjsip.so).
func (p *PBX) Reload(ctx context.Context) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	return reload(ctx, p.ARI)
}

func reload(ctx context.Context, ari Config) error {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	u := strings.TrimRight(ari.URL, "/") + "/asterisk/modules/res_pjsip.so"
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, u, nil)
	if err != nil {
		return err
	}
	req.SetBasicAuth(ari.Username, ari.Password)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("ari: reload res_pjsip: %w", err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("ari: reload res_pjsip: %s: %s", resp.Status, strings.TrimSpace(string(body)))
	}
	return nil
}

// ErrUnknownPrompt is returned for a prompt name or language not in
// PromptNames/aw.Languages.
var ErrUnknownPrompt = errors.New("ari: unknown prompt")

// InstallPrompt converts an uploaded WAV with sox to 8 kHz mono 16-bit and
// installs it as <SoundsDir>/<lang>/aw-<name>.wav; it plays in the next call.
func (p *PBX) InstallPrompt(ctx context.Context, lang, name string, wav io.Reader) error {
	if !slices.Contains(aw.Languages, lang) || !slices.Contains(PromptNames, name) {
		return ErrUnknownPrompt
	}
	dir := filepath.Join(p.SoundsDir, lang)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	in, err := os.CreateTemp(dir, ".upload-*.wav")
	if err != nil {
		return err
	}
	defer os.Remove(in.Name())
	if _, err := io.Copy(in, io.LimitReader(wav, 20<<20)); err != nil {
		in.Close()
		return err
	}
	if err := in.Close(); err != nil {
		return err
	}
	sox := p.Sox
	if sox == "" {
		sox = "sox"
	}
	return aw.WriteFileAtomic(filepath.Join(dir, "aw-"+name+".wav"), 0o644, func(out *os.File) error {
		cmd := exec.CommandContext(ctx, sox, "-t", "wav", in.Name(), "-r", "8000", "-c", "1", "-b", "16", "-e", "signed-integer", "-t", "wav", out.Name())
		if msg, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("ari: convert prompt: %v: %s", err, strings.TrimSpace(string(msg)))
		}
		return nil
	})
}
