package main

import (
	"context"
	"errors"
	"sync"

	aw "alleenwerken"
)

// switchTelephony is the telephony the core holds; the adapter behind it is
// replaced when the connection changes in the console.
type switchTelephony struct {
	mu    sync.RWMutex
	cur   aw.Telephony
	close func() error
	set   *aw.Settings // the last settings the escalator applied
}

func (s *switchTelephony) current() aw.Telephony {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.cur
}

// Health implements aw.HealthReporter.
func (s *switchTelephony) Health() aw.Health { return s.current().Health() }

// Call implements aw.Telephony.
func (s *switchTelephony) Call(ctx context.Context, req aw.CallRequest, p aw.CallProgress) (aw.CallResult, error) {
	return s.current().Call(ctx, req, p)
}

// Hangup implements aw.Telephony.
func (s *switchTelephony) Hangup(ctx context.Context, id string) error {
	return s.current().Hangup(ctx, id)
}

// ApplySettings implements aw.SettingsApplier.
func (s *switchTelephony) ApplySettings(set aw.Settings) {
	s.mu.Lock()
	s.set = &set
	cur := s.cur
	s.mu.Unlock()
	if ap, ok := cur.(aw.SettingsApplier); ok {
		ap.ApplySettings(set)
	}
}

// Swap puts t in place and closes the adapter it replaces: calls in
// progress there end (hung up) and the ladders move on.
func (s *switchTelephony) Swap(t aw.Telephony, closeT func() error) error {
	s.mu.Lock()
	old := s.close
	s.cur, s.close = t, closeT
	set := s.set
	s.mu.Unlock()
	if ap, ok := t.(aw.SettingsApplier); ok && set != nil {
		ap.ApplySettings(*set)
	}
	if old != nil {
		return old()
	}
	return nil
}

// Close closes the current adapter.
func (s *switchTelephony) Close() error {
	s.mu.Lock()
	c := s.close
	s.close = nil
	s.mu.Unlock()
	if c != nil {
		return c()
	}
	return nil
}

// EndpointState implements aw.EndpointStater when the current adapter does.
func (s *switchTelephony) EndpointState(ctx context.Context, name string) (string, error) {
	if es, ok := s.current().(aw.EndpointStater); ok {
		return es.EndpointState(ctx, name)
	}
	return "", errors.New("telephony cannot report endpoint states")
}
