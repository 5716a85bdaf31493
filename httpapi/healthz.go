package httpapi

import (
	"net/http"
	"slices"

	aw "alleenwerken"

	"github.com/gin-gonic/gin"
)

// HealthComponents are the components /healthz always shows.
var HealthComponents = []string{"storage", "telephony", "sms"}

// healthJSON is the body of /healthz: state and reason only; SIM, operator,
// numbers and other detail belong to the console.
type healthJSON struct {
	Status     aw.HealthState                 `json:"status"`
	Components map[string]componentHealthJSON `json:"components"`
}

type componentHealthJSON struct {
	State  aw.HealthState `json:"state"`
	Reason string         `json:"reason"`
}

// publicReason is the only reason /healthz gives, by state: it is open to
// anyone on the network, so it names no address, path, port or error text
// (a password in a NATS address once showed here). The detailed reasons
// are on the console's health page, for a logged-in installer.
var publicReason = map[aw.HealthState]string{
	aw.HealthOK:       "Werkt.",
	aw.HealthDegraded: "Werkt beperkt; de reden staat op de gezondheidspagina van de console.",
	aw.HealthDown:     "Storing; de reden staat op de gezondheidspagina van de console.",
}

func (s *Server) registerHealth() {
	s.engine.GET("/healthz", noStore, s.healthz)
}

// healthz handles GET /healthz (no auth): 200 while the daemon can serve,
// 503 when storage is down. The overall status is the worst component's.
func (s *Server) healthz(c *gin.Context) {
	out := healthJSON{Components: map[string]componentHealthJSON{}}
	names := append([]string{}, HealthComponents...)
	for name := range s.cfg.Health {
		if !slices.Contains(names, name) {
			names = append(names, name)
		}
	}
	var states []aw.HealthState
	for _, name := range names {
		h := aw.Health{State: aw.HealthDown, Reason: "niet ingesteld"}
		if r := s.cfg.Health[name]; r != nil {
			h = r.Health()
		}
		out.Components[name] = componentHealthJSON{State: h.State, Reason: publicReason[h.State]}
		states = append(states, h.State)
	}
	out.Status = aw.Worst(states...)
	status := http.StatusOK
	if out.Components["storage"].State == aw.HealthDown {
		status = http.StatusServiceUnavailable
	}
	c.JSON(status, out)
}
