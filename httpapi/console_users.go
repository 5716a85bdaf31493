package httpapi

import (
	"context"
	"net/http"
	"strings"

	aw "alleenwerken"

	"github.com/gin-gonic/gin"
)

// userRow is one line of the users page.
type userRow struct {
	ID, Name, Role, Created string
	Disabled, Self          bool
}

// usersView is the users page.
type usersView struct {
	Users []userRow
	Roles []aw.Role
	Name  string
	Role  string
}

// usersPage handles GET /console/users.
func (c *Console) usersPage(g *gin.Context) { c.renderUsers(g, http.StatusOK, "", usersView{}) }

func (c *Console) renderUsers(g *gin.Context, status int, errMsg string, v usersView) {
	users, err := c.cfg.Users.Users(g.Request.Context())
	if err != nil {
		c.internal(g, err)
		return
	}
	me := currentUser(g)
	loc := c.settings(g).Location()
	for _, u := range users {
		v.Users = append(v.Users, userRow{ID: u.ID, Name: u.Name, Role: string(u.Role), Created: localTime(u.CreatedAt, loc, c.lang(g)), Disabled: u.DisabledAt != nil, Self: u.ID == me.ID})
	}
	v.Roles = aw.Roles
	c.render(g, status, "users", "users_title", v, func(p *page) {
		p.Error = errMsg
		if f := g.Query("done"); f != "" {
			p.Flash = p.T["flash_"+f]
		}
	})
}

// userError is the page's text for a refused user change: the field's
// text in the page's language for invalid input, else the error's message.
func userError(t map[string]string, err error) string {
	switch aw.ErrorField(err) {
	case "name":
		return t["err_user_name"]
	case "role":
		return t["err_role"]
	case "password":
		return t["err_password"]
	}
	return aw.ErrorMessage(err)
}

// actor is the logged-in user at the request's address.
func (c *Console) actor(g *gin.Context) aw.Actor {
	return aw.ConsoleActor(currentUser(g), clientIP(g))
}

// userCreate handles POST /console/users.
func (c *Console) userCreate(g *gin.Context) {
	t := texts[c.lang(g)]
	name := strings.TrimSpace(g.PostForm("name"))
	role := aw.Role(g.PostForm("role"))
	v := usersView{Name: name, Role: string(role)}
	_, err := c.cfg.Users.CreateUser(g.Request.Context(), c.actor(g), name, role, g.PostForm("password"))
	switch aw.ErrorCode(err) {
	case "":
		g.Redirect(http.StatusSeeOther, "/console/users?done=user_created")
	case aw.EINVALID:
		c.renderUsers(g, http.StatusUnprocessableEntity, userError(t, err), v)
	case aw.ECONFLICT:
		c.renderUsers(g, http.StatusConflict, aw.ErrorMessage(err), v)
	default:
		c.internal(g, err)
	}
}

// changeUser runs change on the user of :id as the logged-in user; the
// user service checks, writes and audits it. done names the flash.
func (c *Console) changeUser(g *gin.Context, done string, change func(ctx context.Context, by aw.Actor, id string) (*aw.User, error)) {
	t := texts[c.lang(g)]
	_, err := change(g.Request.Context(), c.actor(g), g.Param("id"))
	switch aw.ErrorCode(err) {
	case "":
		g.Redirect(http.StatusSeeOther, "/console/users?done="+done)
	case aw.ECONFLICT: // one's own role or account
		c.renderUsers(g, http.StatusConflict, t["err_self"], usersView{})
	case aw.EINVALID:
		c.renderUsers(g, http.StatusUnprocessableEntity, userError(t, err), usersView{})
	case aw.ENOTFOUND:
		c.fail(g, http.StatusNotFound, t["err_no_user"])
	default:
		c.internal(g, err)
	}
}

// userRole handles POST /console/users/:id/role.
func (c *Console) userRole(g *gin.Context) {
	role := aw.Role(g.PostForm("role"))
	c.changeUser(g, aw.AuditUserRole, func(ctx context.Context, by aw.Actor, id string) (*aw.User, error) {
		return c.cfg.Users.ChangeRole(ctx, by, id, role)
	})
}

// userPassword handles POST /console/users/:id/password: the admin sets a
// new password; the user's log-ins end.
func (c *Console) userPassword(g *gin.Context) {
	pw := g.PostForm("password")
	c.changeUser(g, aw.AuditUserPassword, func(ctx context.Context, by aw.Actor, id string) (*aw.User, error) {
		return c.cfg.Users.ResetPassword(ctx, by, id, pw)
	})
}

// userDisable handles POST /console/users/:id/disable: the user can no
// longer log in and their log-ins end.
func (c *Console) userDisable(g *gin.Context) {
	c.changeUser(g, aw.AuditUserDisabled, c.cfg.Users.DisableUser)
}

// userEnable handles POST /console/users/:id/enable.
func (c *Console) userEnable(g *gin.Context) {
	c.changeUser(g, aw.AuditUserEnabled, c.cfg.Users.EnableUser)
}
