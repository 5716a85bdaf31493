package gsm

import (
	"io"
	"strings"
	"sync"
	"time"
)

// tap watches the bytes the AT library writes and reads, in stream order.
// It notes what came first after the last AT+CMGS was written, a "> "
// prompt or an answer, so the modem can tell a late answer to a timed-out
// part from its own, and it lets the modem wait for such a late answer.
type tap struct {
	rw io.ReadWriter

	mu      sync.Mutex
	line    []byte
	first   byte          // after the last AT+CMGS: 'p' prompt or 'r' answer first, 0 neither yet
	results int           // +CMGS: / +CMS ERROR: lines seen
	last    string        // the last such line
	changed chan struct{} // closed and replaced on every result
}

func newTap(rw io.ReadWriter) *tap { return &tap{rw: rw, changed: make(chan struct{})} }

// Read implements io.Reader.
func (t *tap) Read(p []byte) (int, error) {
	n, err := t.rw.Read(p)
	t.scan(p[:n])
	return n, err
}

// Write implements io.Writer.
func (t *tap) Write(p []byte) (int, error) {
	if strings.HasPrefix(string(p), "AT+CMGS=") {
		t.mu.Lock()
		t.first = 0
		t.mu.Unlock()
	}
	return t.rw.Write(p)
}

func (t *tap) scan(b []byte) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, c := range b {
		switch {
		case c == '\r' || c == '\n':
			l := strings.TrimSpace(string(t.line))
			t.line = t.line[:0]
			if strings.HasPrefix(l, "+CMGS:") || strings.HasPrefix(l, "+CMS ERROR:") {
				t.results++
				t.last = l
				if t.first == 0 {
					t.first = 'r'
				}
				close(t.changed)
				t.changed = make(chan struct{})
			}
		case c == '>' && len(strings.TrimSpace(string(t.line))) == 0:
			if t.first == 0 {
				t.first = 'p'
			}
			t.line = t.line[:0]
		default:
			t.line = append(t.line, c)
		}
	}
}

// promptFirst reports whether the prompt came before any answer after the
// last AT+CMGS was written.
func (t *tap) promptFirst() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.first == 'p'
}

// resultCount returns how many answers were seen so far.
func (t *tap) resultCount() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.results
}

// waitResult waits up to d for a result after the first `after` ones and
// returns it ("" when none came).
func (t *tap) waitResult(after int, d time.Duration) string {
	deadline := time.NewTimer(d)
	defer deadline.Stop()
	for {
		t.mu.Lock()
		if t.results > after {
			l := t.last
			t.mu.Unlock()
			return l
		}
		ch := t.changed
		t.mu.Unlock()
		select {
		case <-ch:
		case <-deadline.C:
			return ""
		}
	}
}
