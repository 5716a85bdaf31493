package ari_test

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

// The README's two lines must run every test on a fresh machine: its test
// command starts with the test bed's install step, that step installs
// every real peer a test looks for, and CI runs the same command.
func TestInstallStepCoversEveryPeer(t *testing.T) {
	read := func(p string) string {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	readme, script, ci := read("../README.md"), read("../asterisk-conf/testbed.sh"), read("../.ci/run")
	m := regexp.MustCompile(`(?m)^    (asterisk-conf/testbed\.sh install && go test .*)$`).FindStringSubmatch(readme)
	if m == nil {
		t.Fatal("README: no test command starting with asterisk-conf/testbed.sh install")
	}
	if !strings.Contains(ci, "\n"+m[1]+"\n") {
		t.Fatalf(".ci/run does not run the README's test command %q", m[1])
	}
	// Each command a test looks for (exec.LookPath, the browser, the bed).
	for _, cmd := range []string{"chromium", "sipp", "sox", "espeak-ng", "debootstrap", "curl"} {
		if !strings.Contains(script, "command -v "+cmd+" ") {
			t.Errorf("testbed.sh install does not install %s", cmd)
		}
	}
}
