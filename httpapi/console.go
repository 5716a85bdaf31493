package httpapi

import (
	"context"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"strings"
	"time"

	aw "alleenwerken"

	"github.com/gin-gonic/gin"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// ConsoleConfig is what the web console needs.
type ConsoleConfig struct {
	// Logins logs console users in and out.
	Logins *aw.LoginService
	// Reports lists alarms and opens their pages to responders, through a
	// log-in, an SMS link or the report number and access code; it marks
	// them handled.
	Reports *aw.ReportService
	// Sessions counts the running sessions (the health page).
	Sessions aw.SessionCounter
	// Outbox says how many SMS wait (the health page).
	Outbox aw.OutboxQueue
	// Audit reads the audit log.
	Audit *aw.AuditLog
	// Clock stamps log-ins, links and audit entries; SystemClock if nil.
	Clock aw.Clock
	// Health holds the components shown on the health page: "storage",
	// "telephony", "sms" and any others.
	Health map[string]aw.HealthReporter
	// DatabasePath is the bbolt file; the health page shows the free space
	// of its file system.
	DatabasePath string
	// Logger receives internal errors; slog.Default() if nil.
	Logger *slog.Logger
	// Details, when set, adds lines to the health page: one modem's SIM,
	// signal and registration, a desk phone's registration, and so on.
	Details func(ctx context.Context) []HealthDetail
	// TestAlarms raises test alarms from the installation page; the form
	// is hidden when nil.
	TestAlarms aw.TestAlarms
	// LastBackup, when set, returns the time of the newest scheduled
	// backup; the health page shows the newer of it and the last download.
	LastBackup func() (time.Time, bool)
	// Connection returns the ARI/NATS and modem connection the daemon was
	// started with (the config file's); the form is hidden when nil.
	Connection func() aw.Connection
	// Reconnect makes the adapters use a connection saved in the console;
	// when nil the page says it takes effect after a restart. waiting is
	// the number of calls in progress that telephony first lets end.
	Reconnect func(ctx context.Context, c aw.Connection) (waiting int, err error)
	// Users creates and changes console users, auditing each change.
	Users *aw.UserService
	// Devices makes and revokes app device tokens, auditing each.
	Devices *aw.DeviceService
	// Settings changes the run-time settings, auditing each changed one.
	Settings *aw.SettingsService
	// Backups takes the backup downloads, auditing each.
	Backups *aw.BackupService
	// Installation changes the connection, the SIM PIN and the trunk,
	// extension passwords and prompts of Asterisk, auditing each change;
	// the trunk, extension and prompt forms are hidden when its PBX is nil.
	Installation *aw.InstallationService
}

// Console is the web console, the responders' information page and the
// public report-number form. Mount it with Server.MountConsole.
type Console struct {
	cfg   ConsoleConfig
	log   *slog.Logger
	pages map[string]*template.Template
}

// NewConsole parses the templates and returns a console.
func NewConsole(cfg ConsoleConfig) (*Console, error) {
	if cfg.Logins == nil || cfg.Reports == nil || cfg.Sessions == nil || cfg.Outbox == nil || cfg.Audit == nil ||
		cfg.Users == nil || cfg.Devices == nil || cfg.Settings == nil || cfg.Installation == nil || cfg.Backups == nil {
		return nil, fmt.Errorf("console: Logins, Reports, Sessions, Outbox, Audit, Users, Devices, Settings, Installation and Backups are required")
	}
	if cfg.Clock == nil {
		cfg.Clock = aw.SystemClock{}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	c := &Console{cfg: cfg, log: cfg.Logger, pages: map[string]*template.Template{}}
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return nil, err
	}
	for _, n := range names {
		base := strings.TrimSuffix(strings.TrimPrefix(n, "templates/"), ".html")
		if base == "layout" || strings.HasPrefix(base, "_") {
			continue
		}
		t, err := template.New(base).ParseFS(templateFS, "templates/layout.html", "templates/_*.html", n)
		if err != nil {
			return nil, fmt.Errorf("console: template %s: %w", n, err)
		}
		c.pages[base] = t
	}
	return c, nil
}

// MountConsole registers the console's routes on the server's engine:
// /login, /logout, /lang, /console/..., /m/:token, /melding and /static/.
// Unknown addresses outside the app API get an HTML page instead of the
// API's JSON.
func (s *Server) MountConsole(c *Console) {
	c.register(s.engine)
	s.engine.NoRoute(func(g *gin.Context) {
		p := g.Request.URL.Path
		if strings.HasPrefix(p, "/api/") || p == "/healthz" {
			s.noRoute(g)
			return
		}
		c.secureHeaders(g)
	}, func(g *gin.Context) {
		c.fail(g, http.StatusNotFound, texts[c.lang(g)]["err_not_found"])
	})
}

// register adds every console route to r.
func (c *Console) register(r *gin.Engine) {
	sub, _ := fs.Sub(staticFS, "static")
	r.StaticFS("/static", filesOnly{http.FS(sub)})
	r.GET("/", func(g *gin.Context) { g.Redirect(http.StatusSeeOther, "/console") })

	pub := r.Group("", c.secureHeaders)
	pub.GET("/login", c.loginPage)
	pub.POST("/login", c.checkCSRF, c.login)
	pub.POST("/logout", c.checkCSRF, c.logout)
	pub.POST("/lang", c.checkCSRF, c.setLang)
	pub.GET("/melding", c.codePage)
	pub.POST("/melding", c.checkCSRF, c.codeSubmit)
	pub.GET("/m/:token", c.linkPage)
	pub.GET("/m/:token/live", c.linkLive)
	pub.POST("/m/:token/handle", c.checkCSRF, c.linkHandle)

	con := r.Group("/console", c.secureHeaders, c.requireLogin)
	all := []aw.Role{aw.RoleSuperAdmin, aw.RoleInstaller, aw.RoleResponder}
	alarms := []aw.Role{aw.RoleSuperAdmin, aw.RoleResponder}
	admin := []aw.Role{aw.RoleSuperAdmin}
	install := []aw.Role{aw.RoleSuperAdmin, aw.RoleInstaller}

	con.GET("", c.allow(all), c.home)
	con.GET("/alarms", c.allow(alarms), c.alarmList)
	con.GET("/alarms/:number", c.allow(alarms), c.alarmPage)
	con.GET("/alarms/:number/live", c.allow(alarms), c.alarmLive)
	con.POST("/alarms/:number/handle", c.checkCSRF, c.allow(alarms), c.alarmHandle)

	con.GET("/settings", c.allow(admin), c.settingsPage)
	con.POST("/settings", c.checkCSRF, c.allow(admin), c.settingsSave)
	con.GET("/users", c.allow(admin), c.usersPage)
	con.POST("/users", c.checkCSRF, c.allow(admin), c.userCreate)
	con.POST("/users/:id/role", c.checkCSRF, c.allow(admin), c.userRole)
	con.POST("/users/:id/password", c.checkCSRF, c.allow(admin), c.userPassword)
	con.POST("/users/:id/disable", c.checkCSRF, c.allow(admin), c.userDisable)
	con.POST("/users/:id/enable", c.checkCSRF, c.allow(admin), c.userEnable)
	con.GET("/audit", c.allow(admin), c.auditPage)

	con.GET("/health", c.allow(install), c.healthPage)
	con.GET("/installation", c.allow(install), c.installationPage)
	con.POST("/installation/tokens", c.checkCSRF, c.allow(install), c.tokenCreate)
	con.POST("/installation/tokens/:id/revoke", c.checkCSRF, c.allow(install), c.tokenRevoke)
	con.POST("/installation/test-alarm", c.checkCSRF, c.allow(install), c.testAlarmCreate)
	con.POST("/installation/telephony", c.checkCSRF, c.allow(install), c.telephonySave)
	if c.cfg.Installation.PBX != nil {
		con.POST("/installation/trunk", c.checkCSRF, c.allow(install), c.trunkSave)
		con.POST("/installation/extensions", c.checkCSRF, c.allow(install), c.extensionsSave)
		con.POST(strings.TrimPrefix(PromptUploadPath, "/console"), c.checkCSRF, c.allow(install), c.promptUpload)
	}
	con.POST("/installation/connection", c.checkCSRF, c.allow(install), c.connectionSave)
	con.POST("/installation/sim-pin", c.checkCSRF, c.allow(install), c.simPINSave)
	con.GET("/backup", c.allow(admin), c.backup)
}

// secureHeaders keeps pages out of caches, frames and other sites' Referer
// headers (an /m/ link must not leak to the map site), and allows only the
// console's own scripts and styles.
func (c *Console) secureHeaders(g *gin.Context) {
	h := g.Writer.Header()
	h.Set("Cache-Control", "no-store")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'")
	g.Next()
}

// page is what every template gets.
type page struct {
	Lang    string
	T       map[string]string
	Title   string
	User    *aw.User
	CSRF    string
	Path    string
	Nav     []navItem
	Flash   string
	Error   string
	Refresh bool // a <noscript> refresh while the page updates itself
	Data    any
}

// navItem is one link of the menu.
type navItem struct {
	Href, Label string
	Active      bool
}

// render writes a page with status.
func (c *Console) render(g *gin.Context, status int, name, titleKey string, data any, mod ...func(*page)) {
	lang := c.lang(g)
	p := &page{Lang: lang, T: texts[lang], Title: texts[lang][titleKey], CSRF: c.csrfToken(g), Path: g.Request.URL.Path, Data: data}
	if u := currentUser(g); u != nil {
		p.User = u
		p.Nav = c.nav(u, lang, g.Request.URL.Path)
	}
	for _, m := range mod {
		m(p)
	}
	t, ok := c.pages[name]
	if !ok {
		c.log.Error("console: unknown template", "name", name)
		g.String(http.StatusInternalServerError, "internal error")
		return
	}
	var b strings.Builder
	if err := t.ExecuteTemplate(&b, "layout", p); err != nil {
		c.log.Error("console: rendering failed", "template", name, "err", err)
		g.String(http.StatusInternalServerError, "internal error")
		return
	}
	g.Header("Content-Type", "text/html; charset=utf-8")
	g.String(status, b.String())
}

// nav returns the menu for a user's role.
func (c *Console) nav(u *aw.User, lang, path string) []navItem {
	t := texts[lang]
	var items []navItem
	add := func(href, key string) {
		items = append(items, navItem{Href: href, Label: t[key], Active: strings.HasPrefix(path, href)})
	}
	switch u.Role {
	case aw.RoleSuperAdmin:
		add("/console/alarms", "nav_alarms")
		add("/console/settings", "nav_settings")
		add("/console/users", "nav_users")
		add("/console/installation", "nav_installation")
		add("/console/health", "nav_health")
		add("/console/audit", "nav_audit")
	case aw.RoleInstaller:
		add("/console/installation", "nav_installation")
		add("/console/health", "nav_health")
	case aw.RoleResponder:
		add("/console/alarms", "nav_alarms")
	}
	return items
}

// fail renders the error page with a status and a message for people.
func (c *Console) fail(g *gin.Context, status int, msg string) {
	if strings.HasSuffix(g.Request.URL.Path, "/live") {
		g.AbortWithStatusJSON(status, gin.H{"error": msg})
		return
	}
	c.render(g, status, "error", "error_title", nil, func(p *page) { p.Error = msg })
	g.Abort()
}

// internal logs an internal error and renders a 500 (or 503 for storage).
func (c *Console) internal(g *gin.Context, err error) {
	status := http.StatusInternalServerError
	if aw.ErrorCode(err) == aw.EUNAVAILABLE {
		status = http.StatusServiceUnavailable
	} else {
		c.log.Error("console: internal error", "method", g.Request.Method, "path", g.FullPath(), "err", err)
	}
	c.fail(g, status, texts[c.lang(g)]["err_internal"])
}

// settings returns the stored settings, or the defaults when they cannot be
// read.
func (c *Console) settings(g *gin.Context) aw.Settings {
	s, err := c.cfg.Settings.Settings(g.Request.Context())
	if err != nil {
		c.log.Error("console: reading settings failed", "err", err)
		return aw.DefaultSettings()
	}
	return s
}

// localTime formats t in the settings' time zone as people write it, with
// the month in words in the page's language: "29 nov 2026 14:54".
func localTime(t time.Time, loc *time.Location, lang string) string {
	if t.IsZero() {
		return ""
	}
	t = t.In(loc)
	return fmt.Sprintf("%d %s %d %s", t.Day(), monthAbbr(lang, t.Month()), t.Year(), t.Format("15:04"))
}
