// Command alleenwerken is the Alleen Werken appliance: the daemon ("run" or
// "demo") and the admin commands for installers and scripts ("user",
// "token", "backup", "key").
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
)

const usage = `Gebruik / usage:
  alleenwerken demo   [-set key=value ...]          the demo: simulated telephony and modem (NOT for real use)
  alleenwerken run    -config FILE [-set key=value]  the daemon
  alleenwerken user   create -config FILE -name NAME [-role super_admin|installer|responder]  (password on stdin)
  alleenwerken token  create -config FILE -name NAME   (prints the token once)
  alleenwerken token  revoke -config FILE -id ID
  alleenwerken token  list   -config FILE
  alleenwerken backup -config FILE -out FILE
  alleenwerken key    rotate -config FILE   (daemon stopped: a new key file, every secret sealed with it)
The admin commands talk to the running daemon over its admin socket, or open
the database directly when the daemon is not running.
`

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stdin, os.Stdout, os.Stderr); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "alleenwerken:", err)
		}
		os.Exit(1)
	}
}

// run dispatches a command line; it is main without the exit.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return flag.ErrHelp
	}
	switch args[0] {
	case "demo", "run":
		return runDaemon(ctx, args[0], args[1:], stdout, stderr)
	case "user", "token", "backup", "key":
		return runAdmin(ctx, args, stdin, stdout, stderr)
	case "-h", "-help", "--help", "help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprint(stderr, usage)
	return fmt.Errorf("unknown command %q", args[0])
}

// setFlags collects repeated -set key=value overrides.
type setFlags []string

func (s *setFlags) String() string     { return strings.Join(*s, ",") }
func (s *setFlags) Set(v string) error { *s = append(*s, v); return nil }

// loadConfig reads the config file (or the embedded demo config) with the
// -set overrides applied after it.
func loadConfig(demo bool, path string, sets []string) (Config, error) {
	var text string
	if demo {
		text = demoConfig
		if path != "" {
			b, err := os.ReadFile(path)
			if err != nil {
				return Config{}, fmt.Errorf("config: %w", err)
			}
			text += "\n" + string(b)
		}
	} else {
		if path == "" {
			return Config{}, fmt.Errorf("no config file: use -config FILE (see alleenwerken.conf.example), or the demo command")
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return Config{}, fmt.Errorf("config: %w", err)
		}
		text = string(b)
	}
	for _, s := range sets {
		text += "\n" + s
	}
	return ParseConfig(strings.NewReader(text))
}

func runDaemon(ctx context.Context, cmd string, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet(cmd, flag.ContinueOnError)
	fs.SetOutput(stderr)
	path := fs.String("config", "", "config file")
	var sets setFlags
	fs.Var(&sets, "set", "override a config key: key=value (repeatable)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg, err := loadConfig(cmd == "demo", *path, sets)
	if err != nil {
		return err
	}
	m := NewMain(cfg, stdout, stderr)
	ctx, stop := signal.NotifyContext(ctx, syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	if err := m.Open(ctx); err != nil {
		m.Close()
		if ctx.Err() != nil {
			// SIGTERM while starting (systemd stopping a start that takes
			// long) is a stop, not a failure.
			fmt.Fprintln(stderr, "alleenwerken: stopped while starting")
			return nil
		}
		return err
	}
	<-ctx.Done()
	m.Logger.Info("shutting down")
	return m.Close()
}
