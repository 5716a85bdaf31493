package httpapi

import (
	"crypto/subtle"
	"errors"
	"net"
	"net/http"
	"net/url"
	"path"
	"slices"
	"strings"

	aw "alleenwerken"

	"github.com/gin-gonic/gin"
)

// Cookie names.
const (
	sessionCookie = "aw_session" // console log-in: random token, only its hash is stored
	csrfCookie    = "aw_csrf"    // anti-forgery token of visitors who are not logged in
	langCookie    = "aw_lang"
)

// Gin context keys.
const (
	userKey    = "console.user"
	sessionKey = "console.session"
)

// currentUser returns the logged-in user, or nil.
func currentUser(g *gin.Context) *aw.User {
	if u, ok := g.Get(userKey); ok {
		return u.(*aw.User)
	}
	return nil
}

// loadSession finds the log-in of the request's cookie and its user (who
// must not be disabled) and stores both in the context.
func (c *Console) loadSession(g *gin.Context) bool {
	if _, ok := g.Get(userKey); ok {
		return true
	}
	tok, err := g.Cookie(sessionCookie)
	if err != nil || tok == "" {
		return false
	}
	s, u, err := c.cfg.Logins.Authenticate(g.Request.Context(), tok)
	if err != nil {
		return false
	}
	g.Set(userKey, u)
	g.Set(sessionKey, s)
	return true
}

// requireLogin lets logged-in users on; others are sent to the log-in page
// (GET) or get 401.
func (c *Console) requireLogin(g *gin.Context) {
	if c.loadSession(g) {
		g.Next()
		return
	}
	if g.Request.Method == http.MethodGet && !strings.HasSuffix(g.Request.URL.Path, "/live") {
		g.Redirect(http.StatusSeeOther, "/login?next="+url.QueryEscape(g.Request.URL.RequestURI()))
		g.Abort()
		return
	}
	c.fail(g, http.StatusUnauthorized, texts[c.lang(g)]["err_login_needed"])
}

// allow lets only the given roles on: 403 for the others.
func (c *Console) allow(roles []aw.Role) gin.HandlerFunc {
	return func(g *gin.Context) {
		u := currentUser(g)
		if u == nil || !slices.Contains(roles, u.Role) {
			c.fail(g, http.StatusForbidden, texts[c.lang(g)]["err_forbidden"])
			return
		}
		g.Next()
	}
}

// csrfToken returns the token forms must carry: the log-in's own token, or
// for visitors who are not logged in a random token in a cookie (set here
// when missing).
func (c *Console) csrfToken(g *gin.Context) string {
	if c.loadSession(g) {
		s, _ := g.Get(sessionKey)
		return s.(*aw.ConsoleSession).CSRF
	}
	if v, ok := g.Get(csrfCookie); ok {
		return v.(string)
	}
	if tok, err := g.Cookie(csrfCookie); err == nil && len(tok) >= 32 {
		return tok
	}
	tok, _ := aw.NewToken("")
	c.setCookie(g, csrfCookie, tok, 0, http.SameSiteStrictMode)
	g.Set(csrfCookie, tok)
	return tok
}

// checkCSRF refuses a state-changing request whose form field "csrf" or
// header X-CSRF-Token does not match the expected token: 403. It reads the
// form first, so a body over its route's limit is a 413, not a missing
// token.
func (c *Console) checkCSRF(g *gin.Context) {
	var tooLarge *http.MaxBytesError
	if errors.As(readForm(g.Request), &tooLarge) {
		c.fail(g, http.StatusRequestEntityTooLarge, texts[c.lang(g)]["err_too_large"])
		return
	}
	got := g.GetHeader("X-CSRF-Token")
	if got == "" {
		got = g.PostForm("csrf")
	}
	var want string
	if c.loadSession(g) {
		s, _ := g.Get(sessionKey)
		want = s.(*aw.ConsoleSession).CSRF
	} else if tok, err := g.Cookie(csrfCookie); err == nil {
		want = tok
	}
	if got == "" || want == "" || subtle.ConstantTimeCompare([]byte(got), []byte(want)) != 1 {
		c.fail(g, http.StatusForbidden, texts[c.lang(g)]["err_csrf"])
		return
	}
	g.Next()
}

// readForm parses the posted form, multipart or URL-encoded, and returns
// the error of reading it.
func readForm(r *http.Request) error {
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
		return r.ParseMultipartForm(32 << 20)
	}
	return r.ParseForm()
}

// setCookie sets an HttpOnly cookie on /, Secure when the public base URL
// is https. maxAge 0 is a browser-session cookie, negative deletes it.
func (c *Console) setCookie(g *gin.Context, name, value string, maxAge int, same http.SameSite) {
	secure := strings.HasPrefix(strings.ToLower(c.settings(g).PublicBaseURL), "https://")
	http.SetCookie(g.Writer, &http.Cookie{
		Name: name, Value: value, Path: "/", MaxAge: maxAge,
		HttpOnly: true, Secure: secure, SameSite: same,
	})
}

// clientIP is the peer's address. Forwarded headers are not trusted: they
// would let anyone escape the throttles.
func clientIP(g *gin.Context) string {
	host, _, err := net.SplitHostPort(g.Request.RemoteAddr)
	if err != nil {
		return g.Request.RemoteAddr
	}
	return host
}

// safeNext returns where to go after a log-in or a language change: a
// page of this console (/console..., /m/..., /melding, /login) with its
// query, rebuilt from its parts; anything else (another host, a scheme,
// "//", a backslash, a control character such as a tab or CR/LF, also
// percent-encoded, or a path that leaves these pages) goes to /console.
// Browsers drop tabs and newlines and read "\" as "/", so such a next
// could otherwise name another host.
func safeNext(next string) string {
	const home = "/console"
	bad := func(s string) bool {
		return strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 || r == 0x7f || r == '\\' })
	}
	if bad(next) || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") {
		return home
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" || bad(u.Path) || strings.HasPrefix(u.Path, "//") {
		return home
	}
	p := path.Clean(u.Path)
	switch {
	case p == home, strings.HasPrefix(p, home+"/"), strings.HasPrefix(p, "/m/"), p == "/melding", p == "/login":
	default:
		return home
	}
	return (&url.URL{Path: p, RawQuery: u.RawQuery}).RequestURI()
}
