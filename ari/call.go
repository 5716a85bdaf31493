package ari

import (
	"context"
	"fmt"
	"log/slog"
	"math"
	"time"

	aw "alleenwerken"

	"github.com/CyCoreSystems/ari/v5"
)

// phase is where an answered call is in its script.
type phase int

const (
	phaseRinging phase = iota
	phasePrompt        // intro and "press 1" rounds: a 1 accepts
	phaseConfirm       // "you have accepted": digits are ignored
	phaseOffer         // the SMS offer and its wait: 1 yes, 2 no
	phaseClosing       // SMS sent, or the report number and code; thanks
	phaseHangup        // hung up by the adapter, waiting for the channel to go
)

// Guards against an Asterisk that goes quiet.
const (
	quietGuard  = 60 * time.Second // no event at all while a call runs
	hangupGuard = 5 * time.Second  // channel not destroyed after its hang-up
	ringSlack   = 30 * time.Second // on top of the ring timeout
)

// call is one alarm call. Its goroutine (the caller of Call) owns all of
// its state; events reach it through q.
type call struct {
	t        *Telephony
	link     *link
	req      aw.CallRequest
	p        aw.CallProgress
	endpoint string
	q        *queue
	log      *slog.Logger

	phase   phase
	items   []string // media still to play in this phase
	playing string   // id of the playback the script waits for
	pbSeq   int
	round   int
	wait    aw.Timer
	guard   aw.Timer
	gone    bool // the channel is hanging up
	done    bool // the channel is destroyed (or lost)
	started time.Time
	plan    aw.AcceptPlan
	f       facts
	tech    int
	dialSt  string
	txt     string
}

// Call places one alarm call and blocks until it has ended; see
// aw.Telephony. It waits for a free slot first (MaxCalls).
func (t *Telephony) Call(ctx context.Context, req aw.CallRequest, p aw.CallProgress) (aw.CallResult, error) {
	if req.ID == "" || req.Number == "" {
		return aw.CallResult{}, aw.Errorf(aw.EINVALID, "Gesprek zonder id of nummer.")
	}
	t.mu.Lock()
	if t.closed {
		t.mu.Unlock()
		return aw.CallResult{}, aw.Errorf(aw.EUNAVAILABLE, "Telefonie wordt afgesloten.")
	}
	t.calls.Add(1) // under t.mu: Close waits for every call that got past here
	t.mu.Unlock()
	defer t.calls.Done()
	// Just after a start or a reconnect, wait for Asterisk rather than
	// report the call as not placed (which backs the ladder off and sends
	// the telephony-down SMS to everyone).
	t.awaitLink(ctx)
	t.applyRequest(req)
	// Wait for a slot, but not past Close.
	actx, cancel := context.WithCancel(ctx)
	go func() {
		select {
		case <-t.closing:
			cancel()
		case <-actx.Done():
		}
	}()
	err := t.limit.acquire(actx)
	cancel()
	if err != nil {
		if ctx.Err() == nil {
			return aw.CallResult{}, aw.Errorf(aw.EUNAVAILABLE, "Telefonie wordt afgesloten.")
		}
		return aw.CallResult{}, err
	}
	defer t.limit.release()
	select {
	case <-t.closing:
		return aw.CallResult{}, aw.Errorf(aw.EUNAVAILABLE, "Telefonie wordt afgesloten.")
	default:
	}

	l := t.currentLink()
	if l == nil {
		return aw.CallResult{}, aw.Errorf(aw.EUNAVAILABLE,
			"Gesprek niet opgezet: %s", t.Health().Reason)
	}
	c := &call{
		t: t, link: l, req: req, p: p, endpoint: t.dialString(req), q: newQueue(),
		log: t.log.With("call", req.ID, "alarm", req.AlarmNumber, "number", req.Number),
	}
	t.mu.Lock()
	if t.active[req.ID] != nil {
		t.mu.Unlock()
		return aw.CallResult{}, aw.Errorf(aw.ECONFLICT, "Gesprek %s loopt al.", req.ID)
	}
	t.active[req.ID] = c // subscribed before the originate: no early event is missed
	t.mu.Unlock()
	defer func() {
		t.mu.Lock()
		delete(t.active, req.ID)
		if c.f.lost != "" && t.created[req.ID] {
			t.orphans[req.ID] = true
		}
		t.mu.Unlock()
	}()
	return c.run(ctx)
}

// run originates the call and follows it to its end.
func (c *call) run(ctx context.Context) (aw.CallResult, error) {
	c.started = c.t.clock.Now()
	c.f.ringTimeout = c.req.RingTimeout
	if err := c.originate(ctx); err != nil {
		return aw.CallResult{}, err
	}
	c.log.Info("call placed", "endpoint", c.endpoint, "ring_timeout", c.req.RingTimeout)
	c.kick()
	ctxDone, closing := ctx.Done(), c.t.closing
	for !c.done {
		select {
		case <-c.q.signal:
			for _, e := range c.q.drain() {
				c.handle(e)
				if c.done {
					break
				}
			}
		case <-timerC(c.wait):
			c.wait = nil
			c.onWait()
		case <-timerC(c.guard):
			c.guard = nil
			c.onGuard()
		case <-ctxDone:
			ctxDone = nil
			c.abort("gesprek afgebroken")
		case <-closing:
			closing = nil
			c.abort("telefonie afgesloten")
		}
	}
	c.stopWait()
	if c.guard != nil {
		c.guard.Stop()
	}
	res := c.result()
	c.log.Info("call ended", "outcome", res.Outcome, "cause", res.Cause, "cause_text", res.CauseText,
		"sip", res.SIPDetail, "reason", res.Reason)
	return res, nil
}

// originate creates the channel with the call's own id, so that a retry can
// never ring a person twice: Asterisk refuses a second channel with that id.
func (c *call) originate(ctx context.Context) error {
	secs := int(math.Ceil(c.req.RingTimeout.Seconds()))
	if secs < 1 {
		secs = 30
	}
	lang := c.req.Language
	if lang == "" {
		lang = "nl"
	}
	or := ari.OriginateRequest{
		Endpoint:  c.endpoint,
		App:       c.t.cfg.App,
		AppArgs:   "alarm",
		Timeout:   secs,
		CallerID:  c.req.CallerID,
		ChannelID: c.req.ID,
		Variables: map[string]string{"CHANNEL(language)": lang},
	}
	c.t.mu.Lock()
	c.t.created[c.req.ID] = true
	c.t.mu.Unlock()
	rctx, cancel := context.WithTimeout(ctx, c.t.cfg.RequestTimeout)
	defer cancel()
	err := within(rctx, func() error {
		h, err := c.link.ari.Channel().StageOriginate(nil, or)
		if err != nil {
			return err
		}
		return h.Exec()
	})
	if err == nil {
		return nil
	}
	// A timed-out request may still have placed the call, and a retry of
	// one that did gets a conflict: follow the existing channel.
	if exists, lerr := c.t.channelExists(ctx, c.link, c.req.ID); lerr == nil && exists {
		c.log.Warn("originate reported an error but the channel exists: following it", "err", err)
		return nil
	}
	c.t.mu.Lock()
	delete(c.t.created, c.req.ID)
	c.t.mu.Unlock()
	c.log.Error("call not placed", "endpoint", c.endpoint, "err", err)
	return aw.Errorf(aw.EUNAVAILABLE, "Gesprek naar %s niet opgezet: %v", c.req.Number, err)
}

// handle applies one event.
func (c *call) handle(e event) {
	if c.phase != phaseHangup && !c.gone {
		c.kick()
	}
	switch e.Type {
	case evDial:
		if e.DialStatus != "" {
			c.dialSt = e.DialStatus
		}
	case evStasisStart:
		if c.f.answered {
			return
		}
		c.f.answered = true
		c.log.Info("answered", "after", c.t.clock.Now().Sub(c.started).Round(time.Millisecond))
		c.p.Answered()
		c.phase, c.round = phasePrompt, 1
		c.items = promptRound(1, c.req)
		c.playNext()
	case evDTMF:
		c.onDigit(e.Digit)
	case evPlaybackFinished:
		c.onPlaybackFinished(e.Playback)
	case evStasisEnd, evHangupRequest:
		if e.Soft {
			return
		}
		c.noteCause(e)
		if !c.gone {
			c.gone = true
			c.stopWait()
			c.playing = ""
			c.setGuard(hangupGuard)
		}
	case evDestroyed:
		c.noteCause(e)
		c.txt = e.CauseTxt
		c.done = true
	case evLinkLost:
		if c.f.lost == "" {
			c.f.lost = "verbinding met Asterisk verloren"
		}
		c.done = true
	}
}

func (c *call) noteCause(e event) {
	if e.Cause != 0 {
		c.f.cause = e.Cause
	}
	if e.TechCause != 0 {
		c.tech = e.TechCause
	}
}

// onGuard is reached when Asterisk went quiet for too long.
func (c *call) onGuard() {
	if c.gone || c.phase == phaseHangup {
		c.log.Warn("channel not destroyed after hang-up; giving up on it")
		c.done = true
		return
	}
	c.abort("geen reactie meer van Asterisk")
}

// abort ends the call early (shutdown, cancelled ladder, silent Asterisk).
func (c *call) abort(reason string) {
	if c.f.lost == "" {
		c.f.lost = reason
	}
	c.log.Warn("aborting call", "reason", reason)
	if !c.gone && c.phase != phaseHangup {
		c.hangup()
	}
}

// hangup hangs up the channel and waits for it to be destroyed.
func (c *call) hangup() {
	c.phase = phaseHangup
	c.f.ourHangup = true
	c.stopWait()
	c.setGuard(hangupGuard)
	if err := c.t.hangupChannel(context.Background(), c.link, c.req.ID, "normal"); err != nil {
		c.log.Error("hangup failed", "err", err)
	}
}

// kick restarts the quiet guard after activity.
func (c *call) kick() {
	if c.f.answered {
		c.setGuard(quietGuard)
	} else {
		c.setGuard(c.req.RingTimeout + ringSlack)
	}
}

func (c *call) setGuard(d time.Duration) {
	if c.guard != nil {
		c.guard.Stop()
	}
	c.guard = c.t.clock.NewTimer(d)
}

func timerC(t aw.Timer) <-chan time.Time {
	if t == nil {
		return nil
	}
	return t.C()
}

// result turns the call's facts into its CallResult.
func (c *call) result() aw.CallResult {
	c.f.rang = c.t.clock.Now().Sub(c.started)
	o, reason := decide(c.f)
	r := aw.CallResult{Outcome: o, Cause: c.f.cause, CauseText: c.txt, Reason: reason}
	if c.tech != 0 {
		r.SIPDetail = fmt.Sprintf("SIP %d", c.tech)
	}
	if c.dialSt != "" {
		if r.SIPDetail != "" {
			r.SIPDetail += "; "
		}
		r.SIPDetail += "dialstatus " + c.dialSt
	}
	return r
}
