package httpapi

import (
	"strings"

	aw "alleenwerken"

	"github.com/gin-gonic/gin"
)

// deviceKey is the gin context key of the authenticated device.
const deviceKey = "alleenwerken.device"

// errUnauthorized is the one answer to a missing, unknown or revoked token.
var errUnauthorized = aw.Errorf(aw.EUNAUTHORIZED,
	"Geen geldig apparaattoken: log opnieuw in of vraag de beheerder om een nieuw token.")

// requireDevice authenticates "Authorization: Bearer <token>" and stores the
// device in the context. Missing, unknown or revoked: 401. A storage failure
// keeps its own status (503/500) so the app does not throw its token away.
func (s *Server) requireDevice(c *gin.Context) {
	token, ok := bearerToken(c.GetHeader("Authorization"))
	if !ok {
		s.writeError(c, errUnauthorized)
		return
	}
	d, err := s.cfg.Devices.AuthenticateDevice(c.Request.Context(), token)
	if aw.ErrorCode(err) == aw.EUNAUTHORIZED || (err == nil && (d == nil || d.RevokedAt != nil)) {
		s.writeError(c, errUnauthorized)
		return
	} else if err != nil {
		s.writeError(c, err)
		return
	}
	c.Set(deviceKey, d)
	c.Next()
}

// bearerToken returns the token of an "Authorization: Bearer" header.
func bearerToken(h string) (string, bool) {
	scheme, token, ok := strings.Cut(strings.TrimSpace(h), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	token = strings.TrimSpace(token)
	return token, token != ""
}

// device returns the device requireDevice authenticated.
func device(c *gin.Context) *aw.Device {
	return c.MustGet(deviceKey).(*aw.Device)
}
