package ari

import (
	"context"
	"fmt"

	"github.com/CyCoreSystems/ari/v5"
)

// The call's script after answer: prompt rounds, acceptance, the SMS offer,
// the report, thanks. Every method runs on the call's own goroutine.

// onDigit handles a DTMF digit: only a 1 accepts, at any moment after answer.
func (c *call) onDigit(d string) {
	if !c.f.answered || c.gone || c.phase == phaseHangup {
		return
	}
	c.log.Info("digit", "digit", d, "phase", c.phase)
	c.p.Digit(d)
	switch c.phase {
	case phasePrompt:
		if d == "1" {
			c.accept()
		} else {
			c.f.others = true
		}
	case phaseOffer:
		switch d {
		case "1":
			c.choose("yes")
		case "2":
			c.choose("no")
		}
	}
}

// accept reports the acceptance at once and goes on with the plan the core
// returns once it is on disk.
func (c *call) accept() {
	c.f.accepted = true
	c.stopPlayback()
	c.stopWait()
	c.phase = phaseConfirm
	c.log.Info("accepted")
	c.plan = c.p.Accepted()
	// Why the alarm went off is said again: a 1 pressed during the intro
	// cut the first saying short.
	c.items = []string{mediaAccepted}
	if m := causeMedia(c.req); m != "" {
		c.items = append(c.items, m)
	}
	c.playNext()
}

// choose records the answer to the SMS offer and plays what follows.
func (c *call) choose(choice string) {
	c.stopPlayback()
	c.stopWait()
	c.log.Info("sms choice", "choice", choice)
	c.p.SMSChoice(choice)
	c.phase = phaseClosing
	if choice == "yes" {
		c.items = []string{mediaSMSSent, mediaThanks}
	} else {
		c.items = append(reportItems(c.plan), mediaThanks)
	}
	c.playNext()
}

// afterItems is reached when the phase's media have all played.
func (c *call) afterItems() {
	switch c.phase {
	case phasePrompt, phaseOffer:
		c.startWait()
	case phaseConfirm:
		if c.plan.OfferSMS {
			c.phase = phaseOffer
			c.items = []string{mediaSMSOffer}
			c.playNext()
			return
		}
		c.phase = phaseClosing
		c.items = append(reportItems(c.plan), mediaThanks)
		c.playNext()
	case phaseClosing:
		c.hangup()
	}
}

// onWait is reached when the wait after "press 1" or the SMS offer is over.
func (c *call) onWait() {
	switch c.phase {
	case phasePrompt:
		repeats := max(c.req.PromptRepeats, 1)
		if c.round < repeats {
			c.round++
			c.items = promptRound(c.round, c.req)
			c.playNext()
			return
		}
		c.f.exhausted = true
		c.log.Info("no 1 after every prompt", "rounds", c.round)
		c.hangup()
	case phaseOffer:
		c.choose("none")
	}
}

// playNext starts the phase's next medium, or moves on when there is none.
func (c *call) playNext() {
	for !c.gone && c.phase != phaseHangup {
		if len(c.items) == 0 {
			c.afterItems()
			return
		}
		media := c.items[0]
		c.items = c.items[1:]
		c.pbSeq++
		id := fmt.Sprintf("%s-pb%d", c.req.ID, c.pbSeq)
		ctx, cancel := context.WithTimeout(context.Background(), c.t.cfg.RequestTimeout)
		err := within(ctx, func() error {
			_, err := c.link.ari.Channel().Play(ari.NewKey(ari.ChannelKey, c.req.ID), id, media)
			return err
		})
		cancel()
		if err == nil {
			c.playing = id
			return
		}
		c.log.Error("prompt could not be started", "media", media, "err", err)
		c.f.promptFailed = media
	}
}

// onPlaybackFinished reports a finished prompt and plays the next one. A
// failed playback (a missing file) is a failed step: a silent call.
func (c *call) onPlaybackFinished(pb *playbackData) {
	if pb == nil {
		return
	}
	switch {
	case pb.State == "failed" && c.gone:
		c.log.Info("prompt ended by the hang-up", "media", pb.MediaURI)
	case pb.State == "failed":
		c.log.Error("prompt failed", "media", pb.MediaURI, "playback", pb.ID)
		c.f.promptFailed = pb.MediaURI
	default:
		c.p.Played(pb.MediaURI)
	}
	if pb.ID == c.playing {
		c.playing = ""
		c.playNext()
	}
}

// stopPlayback stops the prompt in progress (a digit interrupts it).
func (c *call) stopPlayback() {
	if c.playing == "" {
		return
	}
	id := c.playing
	c.playing = ""
	ctx, cancel := context.WithTimeout(context.Background(), c.t.cfg.RequestTimeout)
	defer cancel()
	if err := within(ctx, func() error { return c.link.ari.Playback().Stop(ari.NewKey(ari.PlaybackKey, id)) }); err != nil {
		c.log.Debug("stopping playback", "playback", id, "err", err)
	}
}

func (c *call) startWait() {
	c.stopWait()
	c.wait = c.t.clock.NewTimer(c.t.cfg.PromptWait)
}

func (c *call) stopWait() {
	if c.wait != nil {
		c.wait.Stop()
		c.wait = nil
	}
}
