package httpapi

import (
	"fmt"
	"math"
	"net/http"
	"strings"

	aw "alleenwerken"

	"github.com/gin-gonic/gin"
	"golang.org/x/crypto/bcrypt"
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

// login handles POST /login: throttled per user name and per IP, bcrypt,
// a fresh session with its own CSRF token, audited.
func (c *Console) login(g *gin.Context) {
	t := texts[c.lang(g)]
	name := strings.TrimSpace(g.PostForm("name"))
	password := g.PostForm("password")
	form := loginForm{Name: name, Next: safeNext(g.PostForm("next"))}
	ip := clientIP(g)
	userKey, ipKey := "user:"+strings.ToLower(name), "ip:"+ip
	wait := max(c.loginThrottle.wait(userKey), c.loginThrottle.wait(ipKey))
	if wait > 0 {
		// Not audited: the lock itself was, and a flood must not fill the disk.
		minutes := int(math.Ceil(wait.Minutes()))
		c.render(g, http.StatusTooManyRequests, "login", "login_title", form, func(p *page) {
			p.Error = fmt.Sprintf(t["err_throttled"], minutes)
		})
		return
	}
	ctx := g.Request.Context()
	u, err := c.cfg.Store.UserByName(ctx, name)
	if err != nil && aw.ErrorCode(err) != aw.ENOTFOUND {
		c.internal(g, err)
		return
	}
	ok := false
	if u != nil {
		ok = bcrypt.CompareHashAndPassword(u.PasswordHash, []byte(password)) == nil && u.DisabledAt == nil
	} else {
		bcrypt.CompareHashAndPassword(dummyHash, []byte(password))
	}
	if !ok || name == "" || password == "" {
		c.loginThrottle.fail(ctx, userKey)
		c.loginThrottle.fail(ctx, ipKey)
		c.audit(g, aw.AuditEntry{Actor: name, Action: aw.AuditLoginFailed})
		if c.loginThrottle.wait(userKey) > 0 || c.loginThrottle.wait(ipKey) > 0 {
			c.audit(g, aw.AuditEntry{Actor: name, Action: aw.AuditLoginThrottled, Detail: "te veel mislukte pogingen"})
		}
		c.render(g, http.StatusUnauthorized, "login", "login_title", form, func(p *page) { p.Error = t["err_login"] })
		return
	}
	c.loginThrottle.reset(ctx, userKey)
	now := c.cfg.Clock.Now()
	tok, hash := aw.NewToken("")
	csrf, _ := aw.NewToken("")
	s := &aw.ConsoleSession{TokenHash: hash, UserID: u.ID, CSRF: csrf, CreatedAt: now, ExpiresAt: now.Add(aw.ConsoleSessionTTL)}
	if err := c.cfg.Store.CreateConsoleSession(ctx, s, now); err != nil {
		c.internal(g, err)
		return
	}
	c.setCookie(g, sessionCookie, tok, int(aw.ConsoleSessionTTL.Seconds()), http.SameSiteLaxMode)
	c.audit(g, aw.AuditEntry{Actor: u.Name, Action: aw.AuditLogin})
	g.Redirect(http.StatusSeeOther, form.Next)
}

// logout handles POST /logout: the session is removed from the store.
func (c *Console) logout(g *gin.Context) {
	if c.loadSession(g) {
		s, _ := g.Get(sessionKey)
		if err := c.cfg.Store.DeleteConsoleSession(g.Request.Context(), s.(*aw.ConsoleSession).TokenHash); err != nil {
			c.internal(g, err)
			return
		}
		c.audit(g, aw.AuditEntry{Actor: currentUser(g).Name, Action: aw.AuditLogout})
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
