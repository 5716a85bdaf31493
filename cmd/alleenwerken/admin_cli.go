package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	aw "alleenwerken"
	"alleenwerken/store"
)

// runAdmin runs "user create", "token create|revoke|list", "key rotate" and
// "backup".
func runAdmin(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	cmd := args[0]
	rest := args[1:]
	if cmd != "backup" {
		if len(rest) == 0 {
			fmt.Fprint(stderr, usage)
			return flag.ErrHelp
		}
		cmd += " " + rest[0]
		rest = rest[1:]
	}
	fs := flag.NewFlagSet(cmd, flag.ContinueOnError)
	fs.SetOutput(stderr)
	path := fs.String("config", "", "config file")
	demo := fs.Bool("demo", false, "use the demo's embedded config")
	name := fs.String("name", "", "name of the user or device")
	role := fs.String("role", string(aw.RoleSuperAdmin), "user role")
	id := fs.String("id", "", "device id")
	out := fs.String("out", "", "backup file")
	var sets setFlags
	fs.Var(&sets, "set", "override a config key: key=value")
	if err := fs.Parse(rest); err != nil {
		return err
	}
	cfg, err := loadConfig(*demo, *path, sets)
	if err != nil {
		return err
	}
	a := &adminClient{cfg: cfg, log: slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))}
	defer a.close()

	switch cmd {
	case "token create":
		var t tokenInfo
		if err := a.do(ctx, "POST", "/tokens?name="+url.QueryEscape(*name), nil, &t, func(o adminOps) error {
			var err error
			t, err = o.createToken(ctx, *name)
			return err
		}); err != nil {
			return err
		}
		fmt.Fprintf(stderr, "Toestel %s (%s) aangemaakt. Het token wordt maar één keer getoond:\n", t.Name, t.ID)
		fmt.Fprintln(stdout, t.Token)
	case "token list":
		var ts []tokenInfo
		if err := a.do(ctx, "GET", "/tokens", nil, &ts, func(o adminOps) error {
			var err error
			ts, err = o.listTokens(ctx)
			return err
		}); err != nil {
			return err
		}
		printTokens(stdout, ts)
	case "token revoke":
		if err := a.do(ctx, "POST", "/tokens/"+url.PathEscape(*id)+"/revoke", nil, nil, func(o adminOps) error {
			return o.revokeToken(ctx, *id)
		}); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "Token van toestel %s ingetrokken; lopende sessies blijven bewaakt.\n", *id)
	case "user create":
		fmt.Fprintf(stderr, "Wachtwoord voor %s (%d-%d tekens): ", *name, aw.MinPasswordLen, aw.MaxPasswordLen)
		pw, _ := bufio.NewReader(stdin).ReadString('\n')
		pw = strings.TrimRight(pw, "\r\n")
		body := map[string]string{"name": *name, "role": *role, "password": pw}
		if err := a.do(ctx, "POST", "/users", body, nil, func(o adminOps) error {
			_, err := o.createUser(ctx, *name, *role, pw)
			return err
		}); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "\nGebruiker %s (%s) aangemaakt.\n", *name, *role)
	case "key rotate":
		// The database file is rewritten: never under a running daemon.
		if a.socket() != nil {
			return fmt.Errorf("de dienst draait: stop hem eerst (systemctl stop alleenwerken) en vervang dan de sleutel")
		}
		db, err := a.store()
		if err != nil {
			return err
		}
		keyPath := cfg.secretKeyPath()
		if err := db.RotateKey(ctx, keyPath); err != nil {
			return err
		}
		aw.NewBackupService(db, aw.SystemClock{}, a.log).KeyRotated(ctx, aw.CLIActor(currentOSUser()), keyPath)
		fmt.Fprintf(stdout, "Nieuwe sleutel in %s; alle geheimen zijn ermee versleuteld en het databasebestand is herschreven.\n"+
			"Bewaar een kopie van de nieuwe sleutel apart van de back-ups; oudere back-ups openen alleen met de oude sleutel.\n", keyPath)
	case "backup":
		if *out == "" {
			return fmt.Errorf("backup: -out FILE is required")
		}
		if err := a.backup(ctx, *out); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "Back-up geschreven naar %s\n", *out)
	default:
		fmt.Fprint(stderr, usage)
		return fmt.Errorf("unknown command %q", cmd)
	}
	return nil
}

// adminClient runs an admin operation through the running daemon's socket,
// or directly on the database when no daemon is listening.
type adminClient struct {
	cfg Config
	db  *store.DB
	log *slog.Logger // the services' warnings in direct mode
}

func (a *adminClient) close() {
	if a.db != nil {
		a.db.Close()
	}
}

func (a *adminClient) socket() *http.Client {
	p := a.cfg.AdminSocket
	if p == "" {
		return nil
	}
	c, err := net.DialTimeout("unix", p, time.Second)
	if err != nil {
		return nil
	}
	c.Close()
	return &http.Client{Timeout: 2 * time.Minute, Transport: &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, "unix", p)
		},
	}}
}

func (a *adminClient) store() (*store.DB, error) {
	if a.db == nil {
		db, err := store.Open(a.cfg.Database, nil)
		if err != nil {
			return nil, err
		}
		a.db = db
	}
	return a.db, nil
}

// direct returns the admin operations on the database itself, by the
// user running the command ("cli:<user>" in the audit log).
func (a *adminClient) direct() (adminOps, error) {
	db, err := a.store()
	if err != nil {
		return adminOps{}, err
	}
	return adminOps{
		users:   aw.NewUserService(db, aw.SystemClock{}, a.log),
		devices: aw.NewDeviceService(db, aw.SystemClock{}, a.log),
		by:      aw.CLIActor(currentOSUser()),
	}, nil
}

// do runs an admin operation through the daemon's socket (method, path,
// body and out) or, when no daemon listens, directly.
func (a *adminClient) do(ctx context.Context, method, path string, body, out any, direct func(adminOps) error) error {
	hc := a.socket()
	if hc == nil {
		ops, err := a.direct()
		if err != nil {
			return err
		}
		return direct(ops)
	}
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = strings.NewReader(string(b))
	}
	req, err := http.NewRequestWithContext(ctx, method, "http://admin"+path, rd)
	if err != nil {
		return err
	}
	resp, err := hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 300 {
		var e struct {
			Error struct{ Code, Message string }
		}
		json.NewDecoder(resp.Body).Decode(&e)
		return fmt.Errorf("%s: %s", e.Error.Code, e.Error.Message)
	}
	if out != nil {
		return json.NewDecoder(resp.Body).Decode(out)
	}
	return nil
}

func (a *adminClient) backup(ctx context.Context, out string) error {
	return aw.WriteFileAtomic(out, 0o600, func(f *os.File) error {
		if err := a.backupTo(ctx, out, f); err != nil {
			return err
		}
		// Check the copy opens as a valid database before calling it a backup.
		chk, err := store.Open(f.Name(), nil)
		if err != nil {
			return fmt.Errorf("backup is not a valid database: %w", err)
		}
		return chk.Close()
	})
}

// backupTo writes a backup to w: from the daemon's admin socket when it
// runs, else from the database file.
func (a *adminClient) backupTo(ctx context.Context, out string, w io.Writer) error {
	if hc := a.socket(); hc != nil {
		req, _ := http.NewRequestWithContext(ctx, "GET", "http://admin/backup", nil)
		resp, err := hc.Do(req)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		_, err = io.Copy(w, resp.Body)
		return err
	}
	db, err := a.store()
	if err != nil {
		return err
	}
	_, err = aw.NewBackupService(db, aw.SystemClock{}, a.log).Backup(ctx, aw.CLIActor(currentOSUser()), out, w)
	return err
}
