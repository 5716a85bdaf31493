package ari

import (
	"encoding/json"
	"strings"
)

// event is the part of an ARI event the adapter uses. The adapter decodes
// events itself so that a type ari/v5 does not know (ChannelToneDetected,
// CallBroadcast, ...) is simply ignored instead of crashing the process.
type event struct {
	Type       string        `json:"type"`
	Channel    *channelData  `json:"channel"`
	Peer       *channelData  `json:"peer"` // Dial
	Digit      string        `json:"digit"`
	Cause      int           `json:"cause"`
	CauseTxt   string        `json:"cause_txt"`
	TechCause  int           `json:"tech_cause"` // SIP status (Asterisk 22)
	Soft       bool          `json:"soft"`
	DialStatus string        `json:"dialstatus"`
	Playback   *playbackData `json:"playback"`
	Endpoint   *endpointData `json:"endpoint"`
}

type channelData struct {
	ID    string `json:"id"`
	Name  string `json:"name"`
	State string `json:"state"`
}

type playbackData struct {
	ID        string `json:"id"`
	MediaURI  string `json:"media_uri"`
	TargetURI string `json:"target_uri"`
	State     string `json:"state"`
}

type endpointData struct {
	Technology string `json:"technology"`
	Resource   string `json:"resource"`
	State      string `json:"state"`
}

// Event types the adapter acts on; every other type is ignored.
const (
	evStasisStart       = "StasisStart"
	evStasisEnd         = "StasisEnd"
	evDial              = "Dial"
	evDTMF              = "ChannelDtmfReceived"
	evHangupRequest     = "ChannelHangupRequest"
	evDestroyed         = "ChannelDestroyed"
	evPlaybackFinished  = "PlaybackFinished"
	evEndpointState     = "EndpointStateChange"
	evLinkLost          = "aw:LinkLost" // synthetic: the connection to Asterisk is gone
	evStateChange       = "ChannelStateChange"
	evPlaybackStarted   = "PlaybackStarted"
	evApplicationReplac = "ApplicationReplaced"
)

var knownEvents = map[string]bool{
	evStasisStart: true, evStasisEnd: true, evDial: true, evDTMF: true,
	evHangupRequest: true, evDestroyed: true, evPlaybackFinished: true,
	evEndpointState: true, evStateChange: true, evPlaybackStarted: true,
	evApplicationReplac: true,
}

// decodeEvent decodes one ARI event. It reports false for malformed data and
// for every type the adapter does not use.
func decodeEvent(data []byte) (event, bool) {
	var e event
	if err := json.Unmarshal(data, &e); err != nil || !knownEvents[e.Type] {
		return event{}, false
	}
	return e, true
}

// channelID returns the id of the channel the event is about.
func (e event) channelID() string {
	switch {
	case e.Channel != nil && e.Channel.ID != "":
		return e.Channel.ID
	case e.Peer != nil && e.Peer.ID != "":
		return e.Peer.ID
	case e.Playback != nil:
		return strings.TrimPrefix(e.Playback.TargetURI, "channel:")
	}
	return ""
}
