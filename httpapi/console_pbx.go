package httpapi

import (
	"errors"
	"net/http"
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
	pbx := c.cfg.Installation.PBX
	if pbx == nil {
		return nil
	}
	v := &pbxView{Endpoint: set.TrunkEndpoint, Errors: errs, Prompts: pbx.Prompts(), Langs: aw.Languages}
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

// pbxSaved answers a trunk or extensions change; err is the service's
// error: nil, a field error (nothing written), one wrapping ErrNotReloaded
// (written, loaded when Asterisk runs) or another error.
func (c *Console) pbxSaved(g *gin.Context, err error, host, user string) {
	t := texts[c.lang(g)]
	switch {
	case aw.ErrorCode(err) == aw.EINVALID:
		field := aw.ErrorField(err)
		c.renderInstall(g, http.StatusUnprocessableEntity, installView{typedHost: host, typedUser: user, pbxErrs: map[string]string{field: aw.ErrorMessage(err)}},
			t["err_pbx"]+" "+aw.ErrorMessage(err))
	case errors.Is(err, aw.ErrNotReloaded):
		g.Redirect(http.StatusSeeOther, "/console/installation?done=pbx_pending#pbx")
	case err != nil:
		c.internal(g, err)
	default:
		g.Redirect(http.StatusSeeOther, "/console/installation?done=pbx#pbx")
	}
}

// installation returns the stored installation, or an empty one when it
// cannot be read.
func (c *Console) installation(g *gin.Context) aw.Installation {
	in, err := c.cfg.Installation.Installation(g.Request.Context())
	if err != nil {
		c.log.Error("console: reading the installation failed", "err", err)
	}
	return in
}

// trunkSave handles POST /console/installation/trunk: host, user and
// password of the trunk (an empty password keeps the stored one), or
// "remove" to stop managing the trunk from the console.
func (c *Console) trunkSave(g *gin.Context) {
	host, user := strings.TrimSpace(g.PostForm("trunk_host")), strings.TrimSpace(g.PostForm("trunk_user"))
	err := c.cfg.Installation.ChangeTrunk(g.Request.Context(), c.actor(g), host, user, g.PostForm("trunk_password"), g.PostForm("remove") != "")
	c.pbxSaved(g, err, host, user)
}

// extensionsSave handles POST /console/installation/extensions: a password
// per extension (password_<number>; empty keeps the stored one) or
// clear_<number> to leave that extension to the hand-written config.
func (c *Console) extensionsSave(g *gin.Context) {
	pws, clear := map[string]string{}, map[string]bool{}
	for _, x := range c.settings(g).Extensions {
		pws[x.Number] = g.PostForm("password_" + x.Number)
		clear[x.Number] = g.PostForm("clear_"+x.Number) != ""
	}
	c.pbxSaved(g, c.cfg.Installation.ChangeExtensionPasswords(g.Request.Context(), c.actor(g), pws, clear), "", "")
}

// promptUpload handles POST /console/installation/prompt: a WAV for one
// prompt in one language, converted for Asterisk; it plays in the next call.
func (c *Console) promptUpload(g *gin.Context) {
	t := texts[c.lang(g)]
	bad := func(msg string) {
		c.renderInstall(g, http.StatusUnprocessableEntity, installView{pbxErrs: map[string]string{"prompt_file": msg}}, t["err_pbx"]+" "+msg)
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
	err = c.cfg.Installation.InstallPrompt(g.Request.Context(), c.actor(g), g.PostForm("lang"), g.PostForm("prompt"), fh.Filename, fh.Size, f)
	switch {
	case aw.ErrorField(err) == "prompt":
		bad(t["err_prompt_name"])
	case aw.ErrorField(err) == "prompt_file":
		bad(t["err_prompt_file"])
	case aw.ErrorField(err) == "prompt_convert":
		bad(t["err_prompt_convert"])
	case err != nil:
		c.internal(g, err)
	default:
		g.Redirect(http.StatusSeeOther, "/console/installation?done=prompt#prompts")
	}
}
