package httpapi

import (
	"net/http"
	"strings"

	aw "alleenwerken"

	"github.com/gin-gonic/gin"
)

// loginForm is what the log-in page shows.
type loginForm struct {
	Name, Next string
}

// loginPage handles GET /login.
func (c *Console) loginPage(g *gin.Context) {
	if c.loadSession(g) {
		g.Redirect(http.StatusSeeOther, safeNext(g.Query("next")))
		return
	}
	c.render(g, http.StatusOK, "login", "login_title", loginForm{Next: safeNext(g.Query("next"))})
}

// login handles POST /login: the log-in service checks the lock-out and
// the password and audits; a fresh session has its own CSRF token.
func (c *Console) login(g *gin.Context) {
	t := texts[c.lang(g)]
	name := strings.TrimSpace(g.PostForm("name"))
	form := loginForm{Name: name, Next: safeNext(g.PostForm("next"))}
	tok, _, _, err := c.cfg.Logins.Login(g.Request.Context(), name, g.PostForm("password"), clientIP(g))
	switch aw.ErrorCode(err) {
	case "":
		c.setCookie(g, sessionCookie, tok, int(aw.ConsoleSessionTTL.Seconds()), http.SameSiteLaxMode)
		g.Redirect(http.StatusSeeOther, form.Next)
	case aw.ETOOMANY:
		c.render(g, http.StatusTooManyRequests, "login", "login_title", form, func(p *page) { p.Error = throttled(c.lang(g), err) })
	case aw.EUNAUTHORIZED:
		c.render(g, http.StatusUnauthorized, "login", "login_title", form, func(p *page) { p.Error = t["err_login"] })
	default:
		c.internal(g, err)
	}
}

// logout handles POST /logout: the session is removed from the store.
func (c *Console) logout(g *gin.Context) {
	if c.loadSession(g) {
		s, _ := g.Get(sessionKey)
		if err := c.cfg.Logins.Logout(g.Request.Context(), c.actor(g), s.(*aw.ConsoleSession)); err != nil {
			c.internal(g, err)
			return
		}
	}
	c.setCookie(g, sessionCookie, "", -1, http.SameSiteLaxMode)
	g.Redirect(http.StatusSeeOther, "/login")
}

// setLang handles POST /lang: the language of the console for this browser.
func (c *Console) setLang(g *gin.Context) {
	lang := g.PostForm("lang")
	if _, ok := texts[lang]; !ok {
		lang = "nl"
	}
	c.setCookie(g, langCookie, lang, 365*24*3600, http.SameSiteLaxMode)
	g.Redirect(http.StatusSeeOther, safeNext(g.PostForm("next")))
}

// lang returns the language of the request: the cookie, else the settings'
// language, else Dutch.
func (c *Console) lang(g *gin.Context) string {
	if l, err := g.Cookie(langCookie); err == nil {
		if _, ok := texts[l]; ok {
			return l
		}
	}
	if l, ok := g.Get("console.lang"); ok {
		return l.(string)
	}
	l := c.settings(g).Language
	if _, ok := texts[l]; !ok {
		l = "nl"
	}
	g.Set("console.lang", l)
	return l
}
