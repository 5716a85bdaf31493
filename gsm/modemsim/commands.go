package modemsim

import (
	"strconv"
	"strings"
)

// command answers one AT command line. It returns the TPDU length and true
// when the command was +CMGS and a PDU follows.
func (s *Sim) command(line string) (int, bool) {
	up := strings.ToUpper(line)
	if !strings.HasPrefix(up, "AT") {
		s.reply("ERROR")
		return 0, false
	}
	cmd := line[2:]
	s.mu.Lock()
	s.commands = append(s.commands, cmd)
	o := s.opts
	s.mu.Unlock()
	ucmd := strings.ToUpper(cmd)
	if o.Mute {
		return 0, false
	}
	if ucmd == "Z" {
		s.mu.Lock()
		s.mem1 = "SM" // the factory profile
		s.mu.Unlock()
	}
	switch {
	case ucmd == "" || ucmd == "Z" || ucmd == "E0" || ucmd == "E1" || ucmd == "+CMGF=0":
		s.reply("OK")
	case ucmd == "+GCAP":
		if o.NoCGSM {
			s.reply("+GCAP: +DS,+ES", "OK")
		} else {
			s.reply("+GCAP: +CGSM,+DS,+ES", "OK")
		}
	case strings.HasPrefix(ucmd, "+CMEE="):
		if o.RejectCMEE || (o.RejectCMEE2 && ucmd == "+CMEE=2") {
			s.reply("ERROR")
		} else {
			s.reply("OK")
		}
	case strings.HasPrefix(ucmd, "+CSMS="):
		if o.RejectCSMS {
			s.reply("ERROR")
		} else {
			s.reply("+CSMS: 1,1,1", "OK")
		}
	case strings.HasPrefix(ucmd, "+CNMI="):
		f := strings.Split(ucmd[len("+CNMI="):], ",")
		if o.RejectCNMI || (o.StoredReports && len(f) > 3 && f[3] == "1") {
			s.reply("+CMS ERROR: 303")
		} else {
			s.reply("OK")
		}
	case ucmd == "+CNMA":
		s.reply("OK")
	case ucmd == "+CPIN?":
		if o.SIM == "NOSIM" {
			s.reply("+CME ERROR: 10")
		} else {
			s.reply("+CPIN: "+o.SIM, "OK")
		}
	case strings.HasPrefix(ucmd, "+CPIN="):
		s.enterPIN(strings.Trim(cmd[len("+CPIN="):], `"`))
	case ucmd == "+CSQ":
		s.reply("+CSQ: "+strconv.Itoa(o.RSSI)+",99", "OK")
	case ucmd == "+CREG?":
		s.reply("+CREG: 0,"+strconv.Itoa(o.Reg), "OK")
	case ucmd == "+CEREG?":
		s.reply("+CEREG: 0,"+strconv.Itoa(o.Reg), "OK")
	case ucmd == "+COPS?":
		if o.Reg == 1 || o.Reg == 5 {
			s.reply(`+COPS: 0,0,"`+o.Operator+`",7`, "OK")
		} else {
			s.reply("+COPS: 0", "OK")
		}
	case strings.HasPrefix(ucmd, "+CMGS="):
		n, err := strconv.Atoi(cmd[len("+CMGS="):])
		if err != nil {
			s.reply("+CMS ERROR: 304")
			return 0, false
		}
		s.mu.Lock()
		stale := len(s.sends) > 0 && s.sends[0] == "stale"
		if stale {
			s.sends = s.sends[1:]
		}
		s.mu.Unlock()
		if stale { // an earlier submission's answer arrives first
			s.reply("+CMGS: 200", "OK")
		}
		s.write("\r\n> ")
		return n, true
	default:
		if !s.memoryCommand(ucmd) {
			s.reply("ERROR")
		}
	}
	return 0, false
}

func (s *Sim) enterPIN(pin string) {
	s.mu.Lock()
	s.pinTries = append(s.pinTries, pin)
	var res string
	switch {
	case s.opts.SIM != "SIM PIN":
		res = "+CME ERROR: 3"
	case pin == s.opts.PIN:
		s.opts.SIM = "READY"
		res = "OK"
	default:
		res = "+CME ERROR: 16"
		wrong := 0
		for _, p := range s.pinTries {
			if p != s.opts.PIN {
				wrong++
			}
		}
		if wrong >= 3 {
			s.opts.SIM = "SIM PUK"
		}
	}
	s.mu.Unlock()
	s.reply(res)
}
