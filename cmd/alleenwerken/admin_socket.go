package main

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"

	aw "alleenwerken"
	"alleenwerken/httpapi"
)

// adminServer serves the admin operations on a unix socket that only the
// daemon's user can open (0600), so the admin commands (and curl
// --unix-socket) work while the daemon holds the database.
type adminServer struct {
	users   *aw.UserService
	devices *aw.DeviceService
	backups *aw.BackupService
	log     *slog.Logger
	ln      net.Listener
	srv     *http.Server
}

// Open listens on path, replacing a stale socket file.
func (a *adminServer) Open(path string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return err
	}
	if fi, err := os.Stat(path); err == nil && fi.Mode()&os.ModeSocket != 0 {
		if c, err := net.Dial("unix", path); err == nil {
			c.Close()
			return errors.New("another daemon is listening on " + path)
		}
		os.Remove(path)
	}
	old := umask(0o177)
	ln, err := net.Listen("unix", path)
	umask(old)
	if err != nil {
		return err
	}
	a.ln = ln
	mux := http.NewServeMux()
	mux.HandleFunc("POST /tokens", a.createToken)
	mux.HandleFunc("GET /tokens", a.listTokens)
	mux.HandleFunc("POST /tokens/{id}/revoke", a.revokeToken)
	mux.HandleFunc("POST /users", a.createUser)
	mux.HandleFunc("GET /backup", a.backup)
	a.srv = &http.Server{Handler: mux, ConnContext: withPeer}
	go a.srv.Serve(ln)
	return nil
}

// Close stops serving and removes the socket.
func (a *adminServer) Close() error {
	if a.srv == nil {
		return nil
	}
	return a.srv.Close()
}

// ops are the admin operations by the OS user at the other end of r's
// connection ("socket:<user>" in the audit log).
func (a *adminServer) ops(r *http.Request) adminOps {
	return adminOps{users: a.users, devices: a.devices, by: aw.SocketActor(peerFrom(r.Context()))}
}

func (a *adminServer) createToken(w http.ResponseWriter, r *http.Request) {
	t, err := a.ops(r).createToken(r.Context(), r.URL.Query().Get("name"))
	a.reply(w, http.StatusCreated, t, err)
}

func (a *adminServer) listTokens(w http.ResponseWriter, r *http.Request) {
	ts, err := a.ops(r).listTokens(r.Context())
	a.reply(w, http.StatusOK, ts, err)
}

func (a *adminServer) revokeToken(w http.ResponseWriter, r *http.Request) {
	err := a.ops(r).revokeToken(r.Context(), r.PathValue("id"))
	a.reply(w, http.StatusOK, map[string]string{"revoked": r.PathValue("id")}, err)
}

func (a *adminServer) createUser(w http.ResponseWriter, r *http.Request) {
	var in struct{ Name, Role, Password string }
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 4096)).Decode(&in); err != nil {
		a.reply(w, 0, nil, aw.Errorf(aw.EINVALID, "ongeldige JSON: %v", err))
		return
	}
	u, err := a.ops(r).createUser(r.Context(), in.Name, in.Role, in.Password)
	if err != nil {
		a.reply(w, 0, nil, err)
		return
	}
	a.reply(w, http.StatusCreated, map[string]string{"id": u.ID, "name": u.Name, "role": string(u.Role)}, nil)
}

func (a *adminServer) backup(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/octet-stream")
	n, err := a.backups.Backup(r.Context(), aw.SocketActor(peerFrom(r.Context())), "admin socket", w)
	if err != nil {
		a.log.Error("backup failed", "err", err)
		return
	}
	a.log.Info("backup taken", "bytes", n)
}

func (a *adminServer) reply(w http.ResponseWriter, status int, v any, err error) {
	w.Header().Set("Content-Type", "application/json")
	if err != nil {
		status = httpapi.ErrorStatus(err)
		if status == http.StatusInternalServerError {
			a.log.Error("admin command failed", "err", err)
		}
		w.WriteHeader(status)
		json.NewEncoder(w).Encode(map[string]any{"error": map[string]string{"code": aw.ErrorCode(err), "message": aw.ErrorMessage(err)}})
		return
	}
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}
