// Package modemsim is a GSM modem on a pseudo-terminal for tests. It speaks
// enough of 3GPP TS 27.005/27.007 for the gsm package (init, +CPIN, +CSQ,
// +CREG, +COPS, +CMGS in PDU mode with the "> " prompt, +CMS ERRORs, status
// reports routed (+CDS) or stored (+CDSI, with +CPMS, +CMGR, +CMGL and
// +CMGD on its message memories) and can play the quirks of real firmware
// and an unplug.
package modemsim

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/creack/pty"
	"golang.org/x/sys/unix"
)

// Options choose the simulated modem's SIM, network and quirks.
type Options struct {
	NoCGSM      bool          // +GCAP without +CGSM
	RejectCMEE2 bool          // AT+CMEE=2 answers ERROR
	RejectCMEE  bool          // every AT+CMEE answers ERROR
	RejectCSMS  bool          // AT+CSMS answers ERROR
	RejectCNMI  bool          // every AT+CNMI answers ERROR
	RSSIFlood   time.Duration // Huawei: a ^RSSI URC this often (0: none)
	SIM         string        // READY (default), SIM PIN, SIM PUK, NOSIM
	PIN         string        // the SIM's PIN
	Reg         int           // +CREG stat (default 1: home)
	RSSI        int           // +CSQ rssi (default 20)
	Operator    string        // +COPS? name (default "KPN NL")
	SendDelay   time.Duration // network time per +CMGS
	AutoReport  bool          // a status report (delivered) after each submit
	// StoredReports plays a modem that will not route status reports to
	// the terminal: +CNMI with ds=1 is refused, ds=2 accepted, and
	// StatusReport stores the report in ReportMemory and announces it with
	// +CDSI: <mem>,<index>, to be read with +CMGR and deleted with +CMGD.
	StoredReports bool
	ReportMemory  string // where status reports are stored: "SR" (default), "SM" or "ME"
	Mute          bool   // a hung modem: reads everything, answers nothing
	Echo          bool   // echoes what it reads and ignores ATE0
}

// Sim is a simulated modem on the master side of a pseudo-terminal; the
// code under test opens Path (the slave) through the serial stack.
type Sim struct {
	master *os.File
	path   string

	mu       sync.Mutex
	slave    *os.File
	opts     Options
	sends    []string // queued outcomes for +CMGS: "" ok, "hang", or a CMS code
	submits  []Submit
	commands []string
	pinTries []string
	mr       int
	mems     map[string]map[int]Stored // message memories by name, by index
	mem1     string                    // the memory +CMGR, +CMGL and +CMGD work on ("": "SM")
	closed   bool
	wmu      sync.Mutex // serialises writes to the master
	done     chan struct{}
}

// New starts a simulator. Close it when done.
func New(opts Options) (*Sim, error) {
	if opts.SIM == "" {
		opts.SIM = "READY"
	}
	if opts.Reg == 0 {
		opts.Reg = 1
	}
	if opts.RSSI == 0 {
		opts.RSSI = 20
	}
	if opts.Operator == "" {
		opts.Operator = "KPN NL"
	}
	if opts.ReportMemory == "" {
		opts.ReportMemory = "SR"
	}
	master, slave, err := pty.Open()
	if err != nil {
		return nil, err
	}
	if err := makeRaw(slave); err != nil {
		master.Close()
		slave.Close()
		return nil, err
	}
	s := &Sim{master: master, slave: slave, path: slave.Name(), opts: opts, done: make(chan struct{}),
		mems: map[string]map[int]Stored{}, mem1: "SM"}
	go s.readLoop()
	if opts.RSSIFlood > 0 {
		go s.flood(opts.RSSIFlood)
	}
	return s, nil
}

// makeRaw puts a terminal in raw mode: no echo, no line editing, no CR/LF
// translation.
func makeRaw(f *os.File) error {
	fd := int(f.Fd())
	t, err := unix.IoctlGetTermios(fd, unix.TCGETS)
	if err != nil {
		return err
	}
	t.Iflag &^= unix.IGNBRK | unix.BRKINT | unix.PARMRK | unix.ISTRIP | unix.INLCR | unix.IGNCR | unix.ICRNL | unix.IXON
	t.Oflag &^= unix.OPOST
	t.Lflag &^= unix.ECHO | unix.ECHONL | unix.ICANON | unix.ISIG | unix.IEXTEN
	t.Cflag &^= unix.CSIZE | unix.PARENB
	t.Cflag |= unix.CS8
	t.Cc[unix.VMIN] = 1
	t.Cc[unix.VTIME] = 0
	return unix.IoctlSetTermios(fd, unix.TCSETS, t)
}

// Path is the slave device to open, like /dev/pts/7.
func (s *Sim) Path() string { return s.path }

// Close stops the simulator.
func (s *Sim) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	close(s.done)
	slave := s.slave
	s.mu.Unlock()
	slave.Close()
	return s.master.Close()
}

// Unplug hangs up the slave side (TIOCVHANGUP): whoever has it open reads
// EOF, as when the USB modem is pulled. The device can be opened again
// afterwards (plugged back in).
func (s *Sim) Unplug() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := unix.IoctlSetInt(int(s.slave.Fd()), unix.TIOCVHANGUP, 0); err != nil {
		return fmt.Errorf("TIOCVHANGUP: %w", err)
	}
	s.slave.Close()
	// Keep a slave open so the master keeps working.
	f, err := os.OpenFile(s.path, os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		return err
	}
	s.slave = f
	return makeRaw(f)
}

// Configure changes the options (SIM state, registration, quirks) at run time.
func (s *Sim) Configure(fn func(*Options)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	fn(&s.opts)
}

// FailNextSends queues outcomes for the next +CMGS commands: a CMS error code
// like "332", "hang" for no answer at all, "late:400ms" for success answered
// after that delay, "stale" for an old answer (+CMGS: 200, OK) before the
// prompt, or "" for success.
func (s *Sim) FailNextSends(outcomes ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sends = append(s.sends, outcomes...)
}

// Commands returns the AT commands received so far (without "AT").
func (s *Sim) Commands() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.commands...)
}

// PINAttempts returns the PINs entered so far.
func (s *Sim) PINAttempts() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.pinTries...)
}

func (s *Sim) readLoop() {
	var buf []byte
	pdu := -1 // expected TPDU length while reading a PDU after the prompt
	b := make([]byte, 4096)
	for {
		n, err := s.master.Read(b)
		if err != nil {
			select {
			case <-s.done:
				return
			default:
			}
			if errors.Is(err, os.ErrClosed) {
				return
			}
			time.Sleep(5 * time.Millisecond) // EIO while the slave is hung up
			continue
		}
		buf = append(buf, b[:n]...)
		s.mu.Lock()
		echo := s.opts.Echo
		s.mu.Unlock()
		if echo {
			s.write(string(b[:n]))
		}
		for {
			if pdu >= 0 {
				if i := bytes.IndexByte(buf, 0x1b); i >= 0 { // escape: cancel
					buf, pdu = buf[i+1:], -1
					continue
				}
				i := bytes.IndexByte(buf, 0x1a)
				if i < 0 {
					break
				}
				hex := strings.TrimSpace(string(buf[:i]))
				buf = buf[i+1:]
				s.submit(pdu, hex)
				pdu = -1
				continue
			}
			i := bytes.IndexAny(buf, "\r\x1b")
			if i < 0 {
				break
			}
			line := strings.TrimSpace(string(buf[:i]))
			buf = buf[i+1:]
			if line == "" {
				continue
			}
			if n, ok := s.command(line); ok {
				pdu = n
			}
		}
	}
}

func (s *Sim) write(text string) {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	s.master.Write([]byte(text))
}

// reply writes info lines and a final result code.
func (s *Sim) reply(lines ...string) {
	var b strings.Builder
	for _, l := range lines {
		b.WriteString("\r\n" + l + "\r\n")
	}
	s.write(b.String())
}

func (s *Sim) flood(every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for i := 0; ; i++ {
		select {
		case <-s.done:
			return
		case <-t.C:
			s.write(fmt.Sprintf("\r\n^RSSI:%d\r\n", 10+i%10))
		}
	}
}
