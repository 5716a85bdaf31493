package main

import (
	"context"
	"net"
	"os"
	"os/user"
	"strconv"

	"golang.org/x/sys/unix"
)

// userName returns the name of the operating-system user uid, or the
// number when it has no name.
func userName(uid int) string {
	if u, err := user.LookupId(strconv.Itoa(uid)); err == nil {
		return u.Username
	}
	return strconv.Itoa(uid)
}

// currentOSUser is the user running this command (the CLI's actor).
func currentOSUser() string {
	if u, err := user.Current(); err == nil {
		return u.Username
	}
	return userName(os.Getuid())
}

// peerKey holds the operating-system user at the other end of an admin
// socket connection in a request's context.
type peerKey struct{}

// withPeer is the admin server's ConnContext: it reads the peer's
// credentials (SO_PEERCRED) of a unix-socket connection once, when the
// connection is accepted.
func withPeer(ctx context.Context, c net.Conn) context.Context {
	return context.WithValue(ctx, peerKey{}, peerUser(c))
}

// peerFrom returns the peer user withPeer stored, or "" when unknown.
func peerFrom(ctx context.Context) string {
	s, _ := ctx.Value(peerKey{}).(string)
	return s
}

// peerUser returns the name of the user whose process opened c, or "" when
// c is not a unix socket or the kernel does not say.
func peerUser(c net.Conn) string {
	uc, ok := c.(*net.UnixConn)
	if !ok {
		return ""
	}
	raw, err := uc.SyscallConn()
	if err != nil {
		return ""
	}
	var cred *unix.Ucred
	var cerr error
	if err := raw.Control(func(fd uintptr) {
		cred, cerr = unix.GetsockoptUcred(int(fd), unix.SOL_SOCKET, unix.SO_PEERCRED)
	}); err != nil || cerr != nil {
		return ""
	}
	return userName(int(cred.Uid))
}
