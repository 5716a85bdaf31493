package httpapi

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"

	aw "alleenwerken"

	"github.com/gin-gonic/gin"
)

// MaxPromptBytes is the largest WAV the prompt upload takes.
const MaxPromptBytes = 20 << 20

// PromptUploadPath is the prompt upload's route, the one console form whose
// body may be larger than MaxBodyBytes (see bodyLimits).
const PromptUploadPath = "/console/installation/prompt"

// pbxView is the trunk, extensions and prompts part of the installation
// page. Passwords are never put in it, only whether one is set.
type pbxView struct {
	Endpoint    string
	Host, User  string
	PasswordSet bool
	Exts        []extRow
	Errors      map[string]string
	Prompts     []string
	Langs       []string
	Proxy       bool // ari-proxy: the forms reach only this machine's Asterisk
}

// extRow is one configured extension and whether the console manages it.
type extRow struct {
	Number, Name, Endpoint string
	Set                    bool
}

// pbxForm is the trunk, extensions and prompts part of the page; host and
// user, when typed, replace the stored ones, and errs marks fields.
func (c *Console) pbxForm(set aw.Settings, in aw.Installation, host, user string, errs map[string]string) *pbxView {
	if c.cfg.PBX == nil {
		return nil
	}
	v := &pbxView{Endpoint: set.TrunkEndpoint, Errors: errs, Prompts: c.cfg.PBX.Prompts(), Langs: aw.Languages}
	if in.Connection != nil {
		v.Proxy = in.Connection.NATSURL != ""
	} else if c.cfg.Connection != nil {
		v.Proxy = c.cfg.Connection().NATSURL != ""
	}
	if in.Trunk != nil {
		v.Host, v.User, v.PasswordSet = in.Trunk.Host, in.Trunk.User, true
	}
	if host != "" || user != "" {
		v.Host, v.User = host, user
	}
	for _, x := range set.Extensions {
		v.Exts = append(v.Exts, extRow{Number: x.Number, Name: x.Name, Endpoint: x.EndpointName(), Set: in.ExtensionPasswords[x.Number] != ""})
	}
	return v
}

// applyPBX writes the trunk and extensions of in and set into Asterisk.
// The error is nil, a field error (nothing written), one wrapping
// ErrNotReloaded (written, loaded when Asterisk runs) or another error.
func (c *Console) applyPBX(ctx context.Context, set aw.Settings, in aw.Installation) error {
	t, xs := in.PBXSetup(set)
	return c.cfg.PBX.Apply(ctx, t, xs)
}

// pbxSaved stores in after applyPBX and answers; err is applyPBX's error.
// It reports whether in was stored.
func (c *Console) pbxSaved(g *gin.Context, in aw.Installation, err error, host, user string) bool {
	t := texts[c.lang(g)]
	switch {
	case aw.ErrorCode(err) == aw.EINVALID:
		field := aw.ErrorField(err)
		c.renderInstall(g, http.StatusUnprocessableEntity, installView{typedHost: host, typedUser: user, pbxErrs: map[string]string{field: aw.ErrorMessage(err)}},
			t["err_pbx"]+" "+aw.ErrorMessage(err))
		return false
	case err != nil && !errors.Is(err, aw.ErrNotReloaded):
		c.internal(g, err)
		return false
	}
	if serr := c.cfg.Store.SaveInstallation(g.Request.Context(), in); serr != nil {
		c.internal(g, serr)
		return false
	}
	if err != nil {
		c.log.Warn("pbx written but not reloaded", "err", err)
		g.Redirect(http.StatusSeeOther, "/console/installation?done=pbx_pending#pbx")
	} else {
		g.Redirect(http.StatusSeeOther, "/console/installation?done=pbx#pbx")
	}
	return true
}

// installation returns the stored installation, or an empty one when it
// cannot be read.
func (c *Console) installation(g *gin.Context) aw.Installation {
	in, err := c.cfg.Store.Installation(g.Request.Context())
	if err != nil {
		c.log.Error("console: reading the installation failed", "err", err)
	}
	return in
}

// trunkSave handles POST /console/installation/trunk: host, user and
// password of the trunk (an empty password keeps the stored one), or
// "remove" to stop managing the trunk from the console.
func (c *Console) trunkSave(g *gin.Context) {
	ctx := g.Request.Context()
	old, err := c.cfg.Store.Installation(ctx)
	if err != nil {
		c.internal(g, err)
		return
	}
	next := old
	host, user := strings.TrimSpace(g.PostForm("trunk_host")), strings.TrimSpace(g.PostForm("trunk_user"))
	pw := g.PostForm("trunk_password")
	if g.PostForm("remove") != "" {
		next.Trunk = nil
	} else {
		if pw == "" && old.Trunk != nil && old.Trunk.Host == host {
			pw = old.Trunk.Password // never sent to a host it was not given for
		}
		if pw == "" {
			msg := "Vul het wachtwoord van het trunkaccount in."
			if old.Trunk != nil {
				msg = "De host is veranderd: vul het wachtwoord opnieuw in."
			}
			c.pbxSaved(g, old, aw.FieldError("trunk_password", "%s", msg), host, user)
			return
		}
		next.Trunk = &aw.Trunk{Host: host, User: user, Password: pw}
	}
	set := c.settings(g)
	if !c.pbxSaved(g, next, c.applyPBX(ctx, set, next), host, user) {
		return
	}
	actor := currentUser(g).Name
	var o, n aw.Trunk
	if old.Trunk != nil {
		o = *old.Trunk
	}
	if next.Trunk != nil {
		n = *next.Trunk
	}
	for _, f := range [][3]string{{"trunk_host", o.Host, n.Host}, {"trunk_user", o.User, n.User}} {
		if f[1] != f[2] {
			c.audit(g, aw.AuditEntry{Actor: actor, Action: aw.AuditPBXChanged, Target: "trunk " + set.TrunkEndpoint, Field: f[0], Old: f[1], New: f[2]})
		}
	}
	if o.Password != n.Password {
		c.audit(g, aw.AuditEntry{Actor: actor, Action: aw.AuditPBXChanged, Target: "trunk " + set.TrunkEndpoint, Field: "trunk_password", New: secretWord(n.Password)})
	}
}

// secretWord is what the audit log says instead of a secret.
func secretWord(s string) string {
	if s == "" {
		return "(verwijderd)"
	}
	return "(gewijzigd)"
}

// extensionsSave handles POST /console/installation/extensions: a password
// per extension (password_<number>; empty keeps the stored one) or
// clear_<number> to leave that extension to the hand-written config.
func (c *Console) extensionsSave(g *gin.Context) {
	ctx := g.Request.Context()
	old, err := c.cfg.Store.Installation(ctx)
	if err != nil {
		c.internal(g, err)
		return
	}
	set := c.settings(g)
	next := old
	next.ExtensionPasswords = map[string]string{}
	var changed []string
	for _, x := range set.Extensions {
		pw := old.ExtensionPasswords[x.Number]
		if v := g.PostForm("password_" + x.Number); v != "" {
			pw = v
		}
		if g.PostForm("clear_"+x.Number) != "" {
			pw = ""
		}
		if pw != "" {
			next.ExtensionPasswords[x.Number] = pw
		}
		if pw != old.ExtensionPasswords[x.Number] {
			changed = append(changed, x.Number)
		}
	}
	if !c.pbxSaved(g, next, c.applyPBX(ctx, set, next), "", "") {
		return
	}
	for _, n := range changed {
		c.audit(g, aw.AuditEntry{Actor: currentUser(g).Name, Action: aw.AuditPBXChanged, Target: "toestel " + n, Field: "password", New: secretWord(next.ExtensionPasswords[n])})
	}
}

// promptUpload handles POST /console/installation/prompt: a WAV for one
// prompt in one language, converted for Asterisk; it plays in the next call.
func (c *Console) promptUpload(g *gin.Context) {
	t := texts[c.lang(g)]
	lang, name := g.PostForm("lang"), g.PostForm("prompt")
	bad := func(msg string) {
		c.renderInstall(g, http.StatusUnprocessableEntity, installView{pbxErrs: map[string]string{"prompt_file": msg}}, t["err_pbx"]+" "+msg)
	}
	if !slices.Contains(aw.Languages, lang) || !slices.Contains(c.cfg.PBX.Prompts(), name) {
		bad(t["err_prompt_name"])
		return
	}
	fh, err := g.FormFile("prompt_file")
	if err != nil {
		bad(t["err_prompt_file"])
		return
	}
	f, err := fh.Open()
	if err != nil {
		c.internal(g, err)
		return
	}
	defer f.Close()
	var head [12]byte
	if _, err := io.ReadFull(f, head[:]); err != nil || string(head[0:4]) != "RIFF" || string(head[8:12]) != "WAVE" {
		bad(t["err_prompt_file"])
		return
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		c.internal(g, err)
		return
	}
	if err := c.cfg.PBX.InstallPrompt(g.Request.Context(), lang, name, f); err != nil {
		c.log.Warn("console: prompt not installed", "lang", lang, "prompt", name, "err", err)
		bad(t["err_prompt_convert"])
		return
	}
	c.audit(g, aw.AuditEntry{Actor: currentUser(g).Name, Action: aw.AuditPromptUploaded, Target: lang + "/aw-" + name,
		Detail: fmt.Sprintf("%s, %d bytes", fh.Filename, fh.Size)})
	g.Redirect(http.StatusSeeOther, "/console/installation?done=prompt#prompts")
}
