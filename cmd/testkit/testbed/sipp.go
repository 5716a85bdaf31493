package testbed

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// PhoneTrace returns the path of a SIPp phone's message trace: phone is
// the number's last two digits ("05" for NumBusy).
func PhoneTrace(phone string) string {
	return filepath.Join(StateDir, "sipp-"+phone+".msg")
}

// InviteTime finds the INVITE carrying callerID in a SIPp message trace
// and returns when SIPp received it.
func InviteTime(path, callerID string) (time.Time, error) {
	f, err := os.Open(path)
	if err != nil {
		return time.Time{}, err
	}
	defer f.Close()
	var stamp time.Time
	var received bool
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "----------------------------------------------- ") {
			ts := strings.TrimPrefix(line, "----------------------------------------------- ")
			stamp, _ = time.ParseInLocation("2006-01-02 15:04:05.000000", strings.TrimSpace(ts), time.Local)
			received = false
			continue
		}
		if strings.Contains(line, "message received") {
			received = true
		}
		if received && strings.HasPrefix(line, "From:") && strings.Contains(line, callerID) {
			return stamp, nil
		}
	}
	return time.Time{}, fmt.Errorf("no INVITE from %s in %s", callerID, path)
}
