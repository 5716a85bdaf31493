package main

import (
	"context"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	aw "alleenwerken"
)

// checkConnection tries a connection from the console before it is saved:
// native ARI must answer GET /asterisk/info with these credentials, a NATS
// server must accept a TCP connection, and every modem port must exist.
// Errors name the field.
func checkConnection(ctx context.Context, c aw.Connection) error {
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	if c.NATSURL == "" {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimRight(c.ARIURL, "/")+"/asterisk/info", nil)
		if err != nil {
			return aw.FieldError("ari_url", "Ongeldig ARI-adres: %v", err)
		}
		req.SetBasicAuth(c.ARIUser, c.ARIPassword)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return aw.FieldError("ari_url", "ARI antwoordt niet op %s (%v).", c.ARIURL, shortErr(err))
		}
		resp.Body.Close()
		switch {
		case resp.StatusCode == http.StatusUnauthorized:
			return aw.FieldError("ari_password", "ARI weigert deze gebruiker of dit wachtwoord (401).")
		case resp.StatusCode/100 != 2:
			return aw.FieldError("ari_url", "ARI op %s antwoordt met %s.", c.ARIURL, resp.Status)
		}
	} else {
		u, err := url.Parse(c.NATSURL)
		if err != nil {
			return aw.FieldError("nats_url", "Ongeldig NATS-adres: %v", err)
		}
		host := u.Host
		if u.Port() == "" {
			host = net.JoinHostPort(u.Hostname(), "4222")
		}
		conn, err := (&net.Dialer{}).DialContext(ctx, "tcp", host)
		if err != nil {
			return aw.FieldError("nats_url", "NATS antwoordt niet op %s (%v).", host, shortErr(err))
		}
		conn.Close()
	}
	for _, p := range c.ModemPorts {
		if _, err := os.Stat(p); err != nil {
			return aw.FieldError("modem_ports", "Modempoort %s bestaat niet (is de modem aangesloten?).", p)
		}
	}
	return nil
}

// shortErr is the last part of an error, without the URL the form shows.
func shortErr(err error) string {
	s := err.Error()
	if i := strings.LastIndex(s, ": "); i >= 0 {
		return s[i+2:]
	}
	return s
}
