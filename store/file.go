package store

import (
	"os"
	"syscall"
)

// keepOwner gives path the owner and group of ref, when this process may
// (root): a file the admin command writes as root in place of the daemon's
// (the rewritten database, a new key file) must stay readable by the
// daemon's own user. Without ref, or not as root, it does nothing.
func keepOwner(path, ref string) error {
	if os.Geteuid() != 0 {
		return nil
	}
	fi, err := os.Stat(ref)
	if err != nil {
		return nil
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return nil
	}
	return os.Chown(path, int(st.Uid), int(st.Gid))
}
