package httpapi

import (
	"context"
	"crypto/tls"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"os"
	"sync"
	"time"

	aw "alleenwerken"

	"github.com/gin-gonic/gin"
)

// Config is what the server needs; the fields are read for each request.
type Config struct {
	// Sessions does what the app asks.
	Sessions aw.SessionService
	// Devices authenticates the app's bearer tokens.
	Devices aw.DeviceStore
	// Health holds the components shown by /healthz: "storage",
	// "telephony" and "sms". A missing component is shown as down.
	Health map[string]aw.HealthReporter
	// Logger receives internal errors and request logs; slog.Default() if nil.
	Logger *slog.Logger
	// TLSConfig, when set, makes Open serve HTTPS.
	TLSConfig *tls.Config
}

// quietGin switches gin to release mode once, unless GIN_MODE says otherwise.
var quietGin sync.Once

// Server is the appliance's HTTP server. The app API is registered by
// NewServer; the console adds its routes to Engine before Open.
type Server struct {
	cfg    Config
	log    *slog.Logger
	engine *gin.Engine

	mu  sync.Mutex
	ln  net.Listener
	srv *http.Server
}

// NewServer returns a server with the app API, /healthz and the OpenAPI
// document registered.
func NewServer(cfg Config) *Server {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	quietGin.Do(func() {
		if os.Getenv(gin.EnvGinMode) == "" {
			gin.SetMode(gin.ReleaseMode) // no route dump on stdout
		}
	})
	s := &Server{cfg: cfg, log: cfg.Logger, engine: gin.New()}
	s.engine.ContextWithFallback = true // c.Done/c.Value follow the request's context
	s.engine.Use(s.recovery, s.logRequests, limitBody)
	s.engine.NoRoute(s.noRoute)
	s.registerHealth()
	s.registerOpenAPI()
	s.registerSessions()
	return s
}

// Engine returns the gin engine, for the console to add its routes.
func (s *Server) Engine() *gin.Engine { return s.engine }

// Handler returns the server's HTTP handler.
func (s *Server) Handler() http.Handler { return s.engine }

// Open listens on addr (host:port; port 0 picks a free one) and serves in the
// background until Close.
func (s *Server) Open(addr string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	if s.cfg.TLSConfig != nil {
		ln = tls.NewListener(ln, s.cfg.TLSConfig)
	}
	srv := &http.Server{
		Handler:           s.engine,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
	s.mu.Lock()
	s.ln, s.srv = ln, srv
	s.mu.Unlock()
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.log.Error("http server stopped", "addr", ln.Addr().String(), "err", err)
		}
	}()
	s.log.Info("http server listening", "addr", ln.Addr().String(), "tls", s.cfg.TLSConfig != nil)
	return nil
}

// Addr returns the address the server listens on, or "" before Open.
func (s *Server) Addr() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ln == nil {
		return ""
	}
	return s.ln.Addr().String()
}

// URL returns the base URL of the listening server, or "" before Open.
func (s *Server) URL() string {
	addr := s.Addr()
	if addr == "" {
		return ""
	}
	scheme := "http"
	if s.cfg.TLSConfig != nil {
		scheme = "https"
	}
	return scheme + "://" + addr
}

// Close stops accepting requests and waits for running ones until ctx is
// done.
func (s *Server) Close(ctx context.Context) error {
	s.mu.Lock()
	srv := s.srv
	s.mu.Unlock()
	if srv == nil {
		return nil
	}
	return srv.Shutdown(ctx)
}
