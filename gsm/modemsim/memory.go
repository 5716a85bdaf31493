package modemsim

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/warthog618/sms"
	"github.com/warthog618/sms/encoding/pdumode"
	"github.com/warthog618/sms/encoding/tpdu"
)

// The simulated message memories (+CPMS): the SIM, the phone, and the one
// for status reports. Incoming SMS are stored in "SM".
var memories = []string{"SM", "ME", "SR"}

const memorySize = 30

// smsc is the service centre address in the PDUs the simulator stores.
const smsc = "+31653131313"

// Stored is one message in a simulated memory.
type Stored struct {
	Index int
	Stat  int        // 0 received unread, 1 received read
	TPDU  *tpdu.TPDU // decoded
	Hex   string     // as +CMGR and +CMGL answer it: SMSC address and TPDU
}

// Stored returns the messages in memory mem ("SM", "ME", "SR") by index.
func (s *Sim) Stored(mem string) []Stored {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.storedLocked(mem)
}

// StoreReport stores a status report for message reference mr to number,
// with TP-ST status, in the report memory without announcing it: one that
// arrived while nobody read the port. It returns its index.
func (s *Sim) StoreReport(mr int, number string, status byte) (int, error) {
	t, err := statusReport(mr, number, status)
	if err != nil {
		return 0, err
	}
	s.mu.Lock()
	mem := s.opts.ReportMemory
	s.mu.Unlock()
	return s.store(mem, t)
}

// StoreSMS stores an incoming SMS-DELIVER from number in "SM", unread,
// as a modem does with a message it does not route to the terminal. It
// returns its index.
func (s *Sim) StoreSMS(from, text string) (int, error) {
	ts, err := sms.Encode([]byte(text), sms.AsDeliver, sms.From(from))
	if err != nil {
		return 0, err
	}
	if len(ts) != 1 {
		return 0, errors.New("modemsim: StoreSMS takes a single-part text")
	}
	ts[0].SCTS = tpdu.Timestamp{Time: time.Now()}
	return s.store("SM", &ts[0])
}

// store puts t into mem at the lowest free index ("SR" counts from 0,
// the others from 1, as firmware differs).
func (s *Sim) store(mem string, t *tpdu.TPDU) (int, error) {
	b, err := t.MarshalBinary()
	if err != nil {
		return 0, err
	}
	p := pdumode.PDU{SMSC: pdumode.SMSCAddress{Address: tpdu.NewAddress(tpdu.FromNumber(smsc))}, TPDU: b}
	hex, err := p.MarshalHexString()
	if err != nil {
		return 0, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if !slices.Contains(memories, mem) {
		return 0, fmt.Errorf("modemsim: no memory %q", mem)
	}
	if s.mems[mem] == nil {
		s.mems[mem] = map[int]Stored{}
	}
	base := 1
	if mem == "SR" {
		base = 0
	}
	for i := base; i < base+memorySize; i++ {
		if _, used := s.mems[mem][i]; !used {
			s.mems[mem][i] = Stored{Index: i, Stat: 0, TPDU: t, Hex: hex}
			return i, nil
		}
	}
	return 0, fmt.Errorf("modemsim: memory %s full", mem)
}

// memoryCommand answers +CPMS, +CMGR, +CMGD and +CMGL on the read memory;
// it reports false for other commands.
func (s *Sim) memoryCommand(ucmd string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.mem1 == "" {
		s.mem1 = "SM"
	}
	if s.mems == nil {
		s.mems = map[string]map[int]Stored{}
	}
	if s.mems[s.mem1] == nil {
		s.mems[s.mem1] = map[int]Stored{}
	}
	mem := s.mems[s.mem1]
	switch {
	case ucmd == "+CPMS?":
		n, sm := strconv.Itoa(len(mem)), strconv.Itoa(len(s.mems["SM"]))
		s.reply(`+CPMS: "`+s.mem1+`",`+n+`,30,"SM",`+sm+`,30,"SM",`+sm+`,30`, "OK")
	case ucmd == "+CPMS=?":
		s.reply(`+CPMS: ("SM","ME","SR"),("SM","ME"),("SM","ME")`, "OK")
	case strings.HasPrefix(ucmd, "+CPMS="):
		m1, _, _ := strings.Cut(ucmd[len("+CPMS="):], ",")
		m1 = strings.Trim(m1, `"`)
		if !slices.Contains(memories, m1) {
			s.reply("+CMS ERROR: 302")
			break
		}
		s.mem1 = m1
		n, sm := strconv.Itoa(len(s.mems[m1])), strconv.Itoa(len(s.mems["SM"]))
		s.reply("+CPMS: "+n+",30,"+sm+",30,"+sm+",30", "OK")
	case strings.HasPrefix(ucmd, "+CMGR="):
		i, err := strconv.Atoi(ucmd[len("+CMGR="):])
		m, ok := mem[i]
		if err != nil || !ok {
			s.reply("+CMS ERROR: 321")
			break
		}
		s.reply(fmt.Sprintf("+CMGR: %d,,%d", m.Stat, len(m.Hex)/2-smscLen(m.Hex)), m.Hex, "OK")
		m.Stat = max(m.Stat, 1)
		mem[i] = m
	case strings.HasPrefix(ucmd, "+CMGD="):
		arg, _, _ := strings.Cut(ucmd[len("+CMGD="):], ",")
		i, err := strconv.Atoi(arg)
		if err != nil {
			s.reply("+CMS ERROR: 321")
			break
		}
		delete(mem, i)
		s.reply("OK")
	case ucmd == "+CMGL" || strings.HasPrefix(ucmd, "+CMGL="):
		stat := 0 // 27.005: the default is "received unread"
		if arg, ok := strings.CutPrefix(ucmd, "+CMGL="); ok {
			n, err := strconv.Atoi(arg)
			if err != nil || n < 0 || n > 4 {
				s.reply("+CMS ERROR: 302")
				break
			}
			stat = n
		}
		var lines []string
		for _, m := range s.storedLocked(s.mem1) {
			if stat != 4 && m.Stat != stat {
				continue
			}
			lines = append(lines, fmt.Sprintf("+CMGL: %d,%d,,%d", m.Index, m.Stat, len(m.Hex)/2-smscLen(m.Hex)), m.Hex)
			m.Stat = max(m.Stat, 1)
			mem[m.Index] = m
		}
		s.reply(append(lines, "OK")...)
	default:
		return false
	}
	return true
}

func (s *Sim) storedLocked(mem string) []Stored {
	var out []Stored
	for _, m := range s.mems[mem] {
		out = append(out, m)
	}
	slices.SortFunc(out, func(a, b Stored) int { return a.Index - b.Index })
	return out
}

// smscLen is the length in octets of the SMSC address before the TPDU.
func smscLen(hex string) int {
	n, _ := strconv.ParseUint(hex[:2], 16, 8)
	return int(n) + 1
}

// statusReport builds an SMS-STATUS-REPORT for mr to number.
func statusReport(mr int, number string, status byte) (*tpdu.TPDU, error) {
	now := time.Now()
	t := &tpdu.TPDU{Direction: tpdu.MT}
	if err := t.SetSmsType(tpdu.SmsStatusReport); err != nil {
		return nil, err
	}
	t.MR = byte(mr)
	t.RA = tpdu.NewAddress(tpdu.FromNumber(number))
	t.SCTS = tpdu.Timestamp{Time: now.Add(-time.Second)}
	t.DT = tpdu.Timestamp{Time: now}
	t.ST = status
	return t, nil
}
