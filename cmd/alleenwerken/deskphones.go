package main

import (
	"context"
	"fmt"

	aw "alleenwerken"
	"alleenwerken/httpapi"
)

// details returns the health page's extra lines: the modems, then the desk
// phones.
func (m *Main) details(ctx context.Context) []httpapi.HealthDetail {
	return append(m.modemDetails(ctx), m.deskPhoneDetails(ctx)...)
}

// deskPhoneDetails returns one health-page line per configured extension:
// registered and reachable (green), or not, with what that means for an
// alarm (amber: the ladder moves on to the next number).
func (m *Main) deskPhoneDetails(ctx context.Context) []httpapi.HealthDetail {
	es, ok := m.Telephony.(aw.EndpointStater)
	if !ok {
		return nil
	}
	set, err := m.DB.Settings(ctx)
	if err != nil {
		return nil
	}
	var out []httpapi.HealthDetail
	for _, x := range set.Extensions {
		name := fmt.Sprintf("Toestel %s %s (PJSIP/%s)", x.Number, x.Name, x.EndpointName())
		state, err := es.EndpointState(ctx, x.EndpointName())
		var h aw.Health
		switch {
		case err != nil:
			h = aw.Health{State: aw.HealthDegraded, Reason: "Onbekend: Asterisk kan nu niet gevraagd worden."}
		case state == "online":
			h = aw.Health{State: aw.HealthOK, Reason: "Geregistreerd en bereikbaar."}
		default:
			h = aw.Health{State: aw.HealthDegraded, Reason: fmt.Sprintf("Niet geregistreerd of niet bereikbaar (%s): een alarm naar dit toestel gaat door naar het volgende nummer.", state)}
		}
		out = append(out, httpapi.HealthDetail{Name: name, Health: h})
	}
	return out
}
