package httpapi

import (
	"net/http"
	"strings"

	"alleenwerken"

	"github.com/gin-gonic/gin"
	"golang.org/x/crypto/bcrypt"
)

// Password length limits (bcrypt reads at most 72 bytes).
const (
	MinPasswordLen = 12
	MaxPasswordLen = 72
)

// userRow is one line of the users page.
type userRow struct {
	ID, Name, Role, Created string
	Disabled, Self          bool
}

// usersView is the users page.
type usersView struct {
	Users []userRow
	Roles []alleenwerken.Role
	Name  string
	Role  string
}

// usersPage handles GET /console/users.
func (c *Console) usersPage(g *gin.Context) { c.renderUsers(g, http.StatusOK, "", usersView{}) }

func (c *Console) renderUsers(g *gin.Context, status int, errMsg string, v usersView) {
	users, err := c.cfg.Store.Users(g.Request.Context())
	if err != nil {
		c.internal(g, err)
		return
	}
	me := currentUser(g)
	loc := c.settings(g).Location()
	for _, u := range users {
		v.Users = append(v.Users, userRow{ID: u.ID, Name: u.Name, Role: string(u.Role), Created: localTime(u.CreatedAt, loc), Disabled: u.DisabledAt != nil, Self: u.ID == me.ID})
	}
	v.Roles = alleenwerken.Roles
	c.render(g, status, "users", "users_title", v, func(p *page) {
		p.Error = errMsg
		if f := g.Query("done"); f != "" {
			p.Flash = p.T["flash_"+f]
		}
	})
}

// hashPassword checks the length and hashes with bcrypt.
func (c *Console) hashPassword(t map[string]string, pw string) ([]byte, string) {
	if len(pw) < MinPasswordLen || len(pw) > MaxPasswordLen {
		return nil, t["err_password"]
	}
	h, err := bcrypt.GenerateFromPassword([]byte(pw), c.cfg.BcryptCost)
	if err != nil {
		return nil, t["err_internal"]
	}
	return h, ""
}

// userCreate handles POST /console/users.
func (c *Console) userCreate(g *gin.Context) {
	t := texts[c.lang(g)]
	name := strings.TrimSpace(g.PostForm("name"))
	role := alleenwerken.Role(g.PostForm("role"))
	v := usersView{Name: name, Role: string(role)}
	if name == "" || len(name) > alleenwerken.MaxNameLen {
		c.renderUsers(g, http.StatusUnprocessableEntity, t["err_user_name"], v)
		return
	}
	if !role.Valid() {
		c.renderUsers(g, http.StatusUnprocessableEntity, t["err_role"], v)
		return
	}
	hash, msg := c.hashPassword(t, g.PostForm("password"))
	if msg != "" {
		c.renderUsers(g, http.StatusUnprocessableEntity, msg, v)
		return
	}
	u := &alleenwerken.User{Name: name, Role: role, PasswordHash: hash, CreatedAt: c.cfg.Clock.Now()}
	if err := c.cfg.Store.CreateUser(g.Request.Context(), u); err != nil {
		if code := alleenwerken.ErrorCode(err); code == alleenwerken.ECONFLICT || code == alleenwerken.EINVALID {
			c.renderUsers(g, http.StatusConflict, alleenwerken.ErrorMessage(err), v)
			return
		}
		c.internal(g, err)
		return
	}
	c.audit(g, alleenwerken.AuditEntry{Actor: currentUser(g).Name, Action: alleenwerken.AuditUserCreated, Target: name, New: string(role)})
	g.Redirect(http.StatusSeeOther, "/console/users?done=user_created")
}

// changeUser applies fn to the user of :id, refusing changes to oneself
// when self is false; on success it audits and, when logout is set, ends
// the user's log-ins.
func (c *Console) changeUser(g *gin.Context, self bool, logout bool, fn func(u *alleenwerken.User) (action, old, new string, msg string)) {
	t := texts[c.lang(g)]
	me := currentUser(g)
	id := g.Param("id")
	if !self && id == me.ID {
		c.renderUsers(g, http.StatusConflict, t["err_self"], usersView{})
		return
	}
	var action, old, nw, msg string
	u, err := c.cfg.Store.UpdateUser(g.Request.Context(), id, func(u *alleenwerken.User) error {
		action, old, nw, msg = fn(u)
		if msg != "" {
			return alleenwerken.Errorf(alleenwerken.EINVALID, "%s", msg)
		}
		return nil
	})
	switch alleenwerken.ErrorCode(err) {
	case "":
	case alleenwerken.EINVALID:
		c.renderUsers(g, http.StatusUnprocessableEntity, msg, usersView{})
		return
	case alleenwerken.ENOTFOUND:
		c.fail(g, http.StatusNotFound, t["err_no_user"])
		return
	default:
		c.internal(g, err)
		return
	}
	if logout {
		if err := c.cfg.Store.DeleteUserConsoleSessions(g.Request.Context(), u.ID); err != nil {
			c.internal(g, err)
			return
		}
	}
	c.audit(g, alleenwerken.AuditEntry{Actor: me.Name, Action: action, Target: u.Name, Old: old, New: nw})
	g.Redirect(http.StatusSeeOther, "/console/users?done="+action)
}

// userRole handles POST /console/users/:id/role.
func (c *Console) userRole(g *gin.Context) {
	role := alleenwerken.Role(g.PostForm("role"))
	c.changeUser(g, false, false, func(u *alleenwerken.User) (string, string, string, string) {
		if !role.Valid() {
			return "", "", "", texts[c.lang(g)]["err_role"]
		}
		old := u.Role
		u.Role = role
		return alleenwerken.AuditUserRole, string(old), string(role), ""
	})
}

// userPassword handles POST /console/users/:id/password: the admin sets a
// new password; the user's log-ins end.
func (c *Console) userPassword(g *gin.Context) {
	t := texts[c.lang(g)]
	hash, msg := c.hashPassword(t, g.PostForm("password"))
	c.changeUser(g, true, true, func(u *alleenwerken.User) (string, string, string, string) {
		if msg != "" {
			return "", "", "", msg
		}
		u.PasswordHash = hash
		return alleenwerken.AuditUserPassword, "", "", ""
	})
}

// userDisable handles POST /console/users/:id/disable: the user can no
// longer log in and their log-ins end.
func (c *Console) userDisable(g *gin.Context) {
	now := c.cfg.Clock.Now()
	c.changeUser(g, false, true, func(u *alleenwerken.User) (string, string, string, string) {
		if u.DisabledAt == nil {
			u.DisabledAt = &now
		}
		return alleenwerken.AuditUserDisabled, "", "", ""
	})
}

// userEnable handles POST /console/users/:id/enable.
func (c *Console) userEnable(g *gin.Context) {
	c.changeUser(g, false, false, func(u *alleenwerken.User) (string, string, string, string) {
		u.DisabledAt = nil
		return alleenwerken.AuditUserEnabled, "", "", ""
	})
}
