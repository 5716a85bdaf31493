package httpapi

import (
	"errors"
	"net/http"
	"strings"
	"time"

	aw "alleenwerken"

	"github.com/gin-gonic/gin"
)

// MaxIdempotencyKeyLen is the longest Idempotency-Key header accepted.
const MaxIdempotencyKeyLen = 200

// registerSessions adds the app API's session endpoints.
func (s *Server) registerSessions() {
	g := s.engine.Group("/api/v1", noStore, s.requireDevice)
	g.POST("/sessions", s.startSession)
	g.GET("/sessions/:id", s.getSession)
	g.POST("/sessions/:id/extend", s.extendSession)
	g.POST("/sessions/:id/stop", s.stopSession)
	g.POST("/sessions/:id/alarm", s.pressAlarm)
	g.POST("/sessions/:id/alarm/cancel", s.cancelAlarm)
	g.PUT("/sessions/:id/location", s.updateLocation)
}

// noStore keeps personal data out of caches.
func noStore(c *gin.Context) {
	c.Header("Cache-Control", "no-store")
	c.Next()
}

// startRequest is the body of POST /api/v1/sessions.
type startRequest struct {
	Worker struct {
		Name  string `json:"name"`
		Phone string `json:"phone"`
	} `json:"worker"`
	AlarmNumbers    []string         `json:"alarm_numbers"`
	DurationMinutes *int             `json:"duration_minutes"`
	Description     string           `json:"description"`
	Reference       string           `json:"reference"`
	Address         string           `json:"address"`
	Location        *locationRequest `json:"location"`
}

// locationRequest is a location as the app sends it; pointers tell a missing
// field from a zero.
type locationRequest struct {
	Lat       *float64 `json:"lat"`
	Lon       *float64 `json:"lon"`
	AccuracyM *float64 `json:"accuracy_m"`
	At        *string  `json:"at"`
	Status    string   `json:"status"`
}

// location checks that the required fields are there and parses the time;
// the ranges are checked by the domain. field prefixes error field names.
func (r *locationRequest) location(field string) (aw.Location, error) {
	prefix := field
	if prefix != "" {
		prefix += "."
	}
	switch {
	case r.Lat == nil:
		return aw.Location{}, aw.FieldError(prefix+"lat", "Breedtegraad ontbreekt.")
	case r.Lon == nil:
		return aw.Location{}, aw.FieldError(prefix+"lon", "Lengtegraad ontbreekt.")
	case r.AccuracyM == nil:
		return aw.Location{}, aw.FieldError(prefix+"accuracy_m", "Nauwkeurigheid ontbreekt.")
	case r.At == nil:
		return aw.Location{}, aw.FieldError(prefix+"at", "Tijdstip ontbreekt.")
	}
	at, err := time.Parse(time.RFC3339, *r.At)
	if err != nil {
		return aw.Location{}, aw.FieldError(prefix+"at", "%q is geen tijdstip in RFC 3339 (zoals 2026-11-26T12:28:00Z).", *r.At)
	}
	return aw.Location{Lat: *r.Lat, Lon: *r.Lon, AccuracyM: *r.AccuracyM, At: at.UTC(), Status: r.Status}, nil
}

// startSession handles POST /api/v1/sessions. A retry with the same
// Idempotency-Key returns the first result, 201 again.
func (s *Server) startSession(c *gin.Context) {
	var body startRequest
	if err := readJSON(c, &body); errors.Is(err, errNoBody) {
		s.writeError(c, &requestError{status: http.StatusBadRequest, err: aw.Errorf(aw.EINVALID, "De gegevens van de sessie ontbreken.")})
		return
	} else if err != nil {
		s.writeError(c, err)
		return
	}
	key := strings.TrimSpace(c.GetHeader("Idempotency-Key"))
	if len(key) > MaxIdempotencyKeyLen {
		s.writeError(c, aw.FieldError("Idempotency-Key", "Langer dan %d tekens.", MaxIdempotencyKeyLen))
		return
	}
	if body.DurationMinutes == nil {
		s.writeError(c, aw.FieldError("duration_minutes", "De duur ontbreekt."))
		return
	}
	req := aw.SessionStart{
		Worker:          aw.Worker{Name: body.Worker.Name, Phone: body.Worker.Phone},
		AlarmNumbers:    body.AlarmNumbers,
		DurationMinutes: *body.DurationMinutes,
		Description:     body.Description,
		Reference:       body.Reference,
		Address:         body.Address,
	}
	if body.Location != nil {
		loc, err := body.Location.location("location")
		if err != nil {
			s.writeError(c, err)
			return
		}
		req.Location = &loc
	}
	v, err := s.cfg.Sessions.StartSession(c.Request.Context(), device(c).ID, req, key)
	if err != nil {
		s.writeError(c, err)
		return
	}
	c.JSON(http.StatusCreated, newSessionJSON(v))
}

// getSession handles GET /api/v1/sessions/:id.
func (s *Server) getSession(c *gin.Context) {
	v, err := s.cfg.Sessions.GetSession(c.Request.Context(), device(c).ID, c.Param("id"))
	s.writeSession(c, http.StatusOK, v, err)
}

// extendRequest is the optional body of POST .../extend.
type extendRequest struct {
	Minutes int `json:"minutes"`
}

// extendSession handles POST /api/v1/sessions/:id/extend; without a body
// (or with minutes 0) the default extension applies.
func (s *Server) extendSession(c *gin.Context) {
	var body extendRequest
	if err := readJSON(c, &body); err != nil && !errors.Is(err, errNoBody) {
		s.writeError(c, err)
		return
	}
	v, err := s.cfg.Sessions.ExtendSession(c.Request.Context(), device(c).ID, c.Param("id"), body.Minutes)
	s.writeSession(c, http.StatusOK, v, err)
}

// stopSession handles POST /api/v1/sessions/:id/stop.
func (s *Server) stopSession(c *gin.Context) {
	v, err := s.cfg.Sessions.StopSession(c.Request.Context(), device(c).ID, c.Param("id"))
	s.writeSession(c, http.StatusOK, v, err)
}

// pressAlarm handles POST /api/v1/sessions/:id/alarm: 202, the alarm fires
// at alarm_fires_at unless cancelled.
func (s *Server) pressAlarm(c *gin.Context) {
	v, err := s.cfg.Sessions.PressAlarm(c.Request.Context(), device(c).ID, c.Param("id"))
	s.writeSession(c, http.StatusAccepted, v, err)
}

// cancelAlarm handles POST /api/v1/sessions/:id/alarm/cancel.
func (s *Server) cancelAlarm(c *gin.Context) {
	v, err := s.cfg.Sessions.CancelAlarm(c.Request.Context(), device(c).ID, c.Param("id"))
	s.writeSession(c, http.StatusOK, v, err)
}

// updateLocation handles PUT /api/v1/sessions/:id/location: 204.
func (s *Server) updateLocation(c *gin.Context) {
	var body locationRequest
	if err := readJSON(c, &body); errors.Is(err, errNoBody) {
		s.writeError(c, &requestError{status: http.StatusBadRequest, err: aw.Errorf(aw.EINVALID, "De locatie ontbreekt.")})
		return
	} else if err != nil {
		s.writeError(c, err)
		return
	}
	loc, err := body.location("")
	if err != nil {
		s.writeError(c, err)
		return
	}
	if err := s.cfg.Sessions.UpdateLocation(c.Request.Context(), device(c).ID, c.Param("id"), loc); err != nil {
		s.writeError(c, topLevelField(err, "location."))
		return
	}
	c.Status(http.StatusNoContent)
}

// writeSession answers with a session view or the error.
func (s *Server) writeSession(c *gin.Context, status int, v *aw.SessionView, err error) {
	if err != nil {
		s.writeError(c, err)
		return
	}
	c.JSON(status, newSessionJSON(v))
}

// topLevelField strips prefix from the field an invalid error names: the
// domain checks a location as "location.x", which is "x" in the body of PUT
// .../location.
func topLevelField(err error, prefix string) error {
	var e *aw.Error
	if !errors.As(err, &e) || !strings.HasPrefix(e.Field, prefix) {
		return err
	}
	return &aw.Error{Code: e.Code, Message: e.Message, Field: strings.TrimPrefix(e.Field, prefix)}
}
