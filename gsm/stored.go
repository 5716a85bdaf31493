package gsm

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/warthog618/sms/encoding/tpdu"
)

// How a modem hands over status reports (Status.ReportsMode).
const (
	ReportsNone   = ""       // every +CNMI form refused: no status reports
	ReportsDirect = "direct" // +CNMI ds=1: each report arrives as +CDS with its PDU
	ReportsStored = "stored" // +CNMI ds=2: reports are stored in the modem, announced by +CDSI
)

// storedRef is one stored status report to read: the memory and index a
// +CDSI named, or (scan) every memory to be listed.
type storedRef struct {
	mem   string
	index int
	scan  bool
}

// storedQueue hands stored reports from the +CDSI handler and the set-up to
// the one goroutine that reads them (readStoredReports): the commands for
// one report (select the memory, read, delete) must not interleave with
// another's.
type storedQueue struct {
	mu    sync.Mutex
	items []storedRef
	kick  chan struct{}
}

func newStoredQueue() *storedQueue { return &storedQueue{kick: make(chan struct{}, 1)} }

func (q *storedQueue) push(r storedRef) {
	q.mu.Lock()
	q.items = append(q.items, r)
	q.mu.Unlock()
	select {
	case q.kick <- struct{}{}:
	default:
	}
}

func (q *storedQueue) pop() (storedRef, bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if len(q.items) == 0 {
		return storedRef{}, false
	}
	r := q.items[0]
	q.items = q.items[1:]
	return r, true
}

// onStoredReport handles "+CDSI: <mem>,<index>": it only queues the
// report, the reading is done by readStoredReports.
func (m *Modem) onStoredReport(c *conn) func([]string) {
	return func(info []string) {
		r, err := parseCDSI(info[0])
		if err != nil {
			m.log.Warn("unreadable stored status report indication", "info", info, "err", err)
			return
		}
		c.stored.push(r)
	}
}

func parseCDSI(line string) (storedRef, error) {
	f := strings.Split(strings.TrimPrefix(line, "+CDSI:"), ",")
	if len(f) != 2 {
		return storedRef{}, fmt.Errorf("%q: want <mem>,<index>", line)
	}
	i, err := strconv.Atoi(strings.TrimSpace(f[1]))
	if err != nil || i < 0 {
		return storedRef{}, fmt.Errorf("%q: index: %v", line, err)
	}
	return storedRef{mem: strings.Trim(strings.TrimSpace(f[0]), `"`), index: i}, nil
}

// readStoredReports reads the queued stored reports of c until stop is
// closed. A failed read is logged; the report stays in the modem and is
// found by the scan at the next set-up.
func (m *Modem) readStoredReports(c *conn, stop <-chan struct{}) {
	for {
		select {
		case <-stop:
			return
		case <-c.stored.kick:
		}
		for !isClosed(stop) {
			r, ok := c.stored.pop()
			if !ok {
				break
			}
			if r.scan {
				m.scanStored(c, stop)
			} else {
				m.readStored(c, r)
			}
		}
	}
}

// readStored reads the report at r, matches it like a +CDS report and
// deletes it. Anything but a received status report is left alone.
func (m *Modem) readStored(c *conn, r storedRef) {
	c.memMu.Lock()
	defer c.memMu.Unlock()
	log := m.log.With("memory", r.mem, "index", r.index)
	if !m.selectMemory(c, r.mem) {
		// A memory the modem announces but will not select: its index is
		// most likely one of the current memory's. Only a status report is
		// processed and deleted, so reading it is safe.
		log.Warn("reading the stored status report from the current memory")
	}
	info, err := c.at.Command("+CMGR=" + strconv.Itoa(r.index))
	if code, ok := cmsCode(err); ok && code == 321 { // invalid memory index
		log.Info("stored status report already gone", "err", err) // read by a scan
		return
	} else if err != nil {
		log.Warn("reading a stored status report failed", "err", err)
		return
	}
	e, err := parseCMGR(info)
	if err != nil {
		log.Warn("unreadable stored status report; left in the modem", "info", info, "err", err)
		return
	}
	if !e.isReport() {
		log.Warn("stored message announced as status report is none; left in the modem", "type", e.kind())
		return
	}
	m.matchReport(e.tpdu)
	m.deleteStored(c, r.mem, r.index)
}

// scanStored lists every message memory (AT+CMGL=4) and processes and
// deletes the status reports found: the ones stored while the daemon was
// down or their +CDSI was lost. Incoming messages are left alone, though
// listing marks unread ones read (27.005 has no listing without that).
func (m *Modem) scanStored(c *conn, stop <-chan struct{}) {
	c.memMu.Lock()
	defer c.memMu.Unlock()
	for _, mem := range m.reportMemories(c) {
		if isClosed(stop) {
			return
		}
		if mem != "" && !m.selectMemory(c, mem) {
			continue
		}
		info, err := c.at.Command("+CMGL=4")
		if err != nil {
			m.log.Warn("listing stored messages failed", "memory", mem, "err", err)
			continue
		}
		reports, others := 0, 0
		for _, e := range parseCMGL(info) {
			switch {
			case e.err != nil:
				others++
				m.log.Warn("unreadable stored message; left in the modem", "memory", mem, "index", e.index, "err", e.err)
			case !e.isReport():
				others++
			case isClosed(stop):
				return
			default:
				reports++
				m.matchReport(e.tpdu)
				m.deleteStored(c, mem, e.index)
			}
		}
		if reports > 0 || others > 0 {
			m.log.Info("stored messages listed", "memory", mem, "status_reports", reports, "left_alone", others)
		}
	}
}

// reportMemories returns the memories to list: the readable ones the modem
// names in AT+CPMS=? except broadcast ("BM"), or only the current one ("")
// when it names none.
func (m *Modem) reportMemories(c *conn) []string {
	info, err := c.at.Command("+CPMS=?")
	if err != nil {
		m.log.Warn("modem does not list its message memories; listing the current one", "err", err)
		return []string{""}
	}
	var mems []string
	for _, mem := range readMemories(info) {
		if mem != "BM" && !slices.Contains(mems, mem) {
			mems = append(mems, mem)
		}
	}
	if len(mems) == 0 {
		return []string{""}
	}
	return mems
}

// readMemories parses the first list of "+CPMS: (<mem1>s),(<mem2>s),..."
// (or a single "<mem1>").
func readMemories(info []string) []string {
	for _, l := range info {
		rest, ok := strings.CutPrefix(l, "+CPMS:")
		if !ok {
			continue
		}
		rest = strings.TrimSpace(rest)
		if r, ok := strings.CutPrefix(rest, "("); ok {
			rest, _, _ = strings.Cut(r, ")")
		} else {
			rest, _, _ = strings.Cut(rest, ",")
		}
		var mems []string
		for _, f := range strings.Split(rest, ",") {
			if f = strings.Trim(strings.TrimSpace(f), `"`); f != "" {
				mems = append(mems, f)
			}
		}
		return mems
	}
	return nil
}

// selectMemory makes mem the memory AT+CMGR, +CMGL and +CMGD work on,
// unless it already is (or mem is ""). Callers hold c.memMu.
func (m *Modem) selectMemory(c *conn, mem string) bool {
	if mem == "" || c.readMem == mem {
		return true
	}
	if _, err := c.at.Command(`+CPMS="` + mem + `"`); err != nil {
		c.readMem = ""
		m.log.Warn("modem refused to select a message memory", "memory", mem, "err", err)
		return false
	}
	c.readMem = mem
	return true
}

func (m *Modem) deleteStored(c *conn, mem string, index int) {
	if _, err := c.at.Command("+CMGD=" + strconv.Itoa(index)); err != nil {
		m.log.Warn("deleting a stored status report failed", "memory", mem, "index", index, "err", err)
	}
}

// storedMsg is one message read from a modem memory.
type storedMsg struct {
	index int // -1 for +CMGR
	stat  int // 0 received unread, 1 received read, 2/3 stored to send
	tpdu  *tpdu.TPDU
	err   error // unreadable
}

// isReport reports whether the message is a received status report, the
// only kind this package deletes.
func (s storedMsg) isReport() bool {
	return s.err == nil && (s.stat == 0 || s.stat == 1) && s.tpdu.SmsType() == tpdu.SmsStatusReport
}

func (s storedMsg) kind() string {
	if s.err != nil {
		return "unreadable"
	}
	return fmt.Sprintf("stat %d, %v", s.stat, s.tpdu.SmsType())
}

// parseCMGR parses the PDU-mode answer to AT+CMGR:
// "+CMGR: <stat>,[<alpha>],<length>" and the PDU line.
func parseCMGR(info []string) (storedMsg, error) {
	for i, l := range info {
		head, ok := strings.CutPrefix(l, "+CMGR:")
		if !ok {
			continue
		}
		if i+1 >= len(info) {
			return storedMsg{}, errors.New("+CMGR without PDU")
		}
		f := strings.Split(head, ",")
		stat, err := strconv.Atoi(strings.TrimSpace(f[0]))
		if err != nil || len(f) < 2 {
			return storedMsg{}, fmt.Errorf("+CMGR:%s: no <stat>", head)
		}
		t, err := parsePDU(f[len(f)-1], info[i+1])
		if err != nil {
			return storedMsg{}, err
		}
		return storedMsg{index: -1, stat: stat, tpdu: t}, nil
	}
	return storedMsg{}, errors.New("no +CMGR answer")
}

// parseCMGL parses the PDU-mode answer to AT+CMGL: per message
// "+CMGL: <index>,<stat>,[<alpha>],<length>" and the PDU line. Messages
// whose header is unreadable are skipped: without an index nothing can be
// done with them.
func parseCMGL(info []string) []storedMsg {
	var out []storedMsg
	for i, l := range info {
		head, ok := strings.CutPrefix(l, "+CMGL:")
		if !ok {
			continue
		}
		f := strings.Split(head, ",")
		if len(f) < 3 {
			continue
		}
		index, err1 := strconv.Atoi(strings.TrimSpace(f[0]))
		stat, err2 := strconv.Atoi(strings.TrimSpace(f[1]))
		if err1 != nil || err2 != nil {
			continue
		}
		s := storedMsg{index: index, stat: stat}
		if i+1 >= len(info) {
			s.err = errors.New("+CMGL without PDU")
		} else {
			s.tpdu, s.err = parsePDU(f[len(f)-1], info[i+1])
		}
		out = append(out, s)
	}
	return out
}

func isClosed(ch <-chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}
