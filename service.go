package alleenwerken

import (
	"context"
	"log/slog"
	"sync"
	"time"
)

// Service is the core of the appliance: it starts and stops sessions, keeps
// their timers (the watchdog), raises alarms and escalates them (the
// escalator). It implements SessionService and AlarmService.
type Service struct {
	store Store
	tel   Telephony
	clock Clock
	log   *slog.Logger
	sched *Scheduler
	watch *Watchdog
	esc   *Escalator
	audit auditor

	// SMS is the health of the SMS path (the dispatcher); optional.
	SMS HealthReporter
	// Notify, when set, is called after an SMS was queued (wakes the dispatcher).
	Notify func()

	mu     sync.Mutex // serialises session state transitions
	cancel context.CancelFunc
	done   chan struct{}
}

var (
	_ SessionService = (*Service)(nil)
	_ AlarmService   = (*Service)(nil)
)

// NewService returns a service; Open arms the stored timers and resumes open
// alarms.
func NewService(st Store, tel Telephony, clock Clock, logger *slog.Logger) *Service {
	if logger == nil {
		logger = slog.Default()
	}
	s := &Service{store: st, tel: tel, clock: clock, log: logger, sched: NewScheduler(clock)}
	s.watch = NewWatchdog(s.sched, s.fireReminder, s.raise)
	s.esc = NewEscalator(st, tel, s.sched, clock, logger)
	s.audit = newAuditor(st, clock, logger)
	return s
}

// TelephonyConnected tells the core that telephony has (re)connected: the
// ladders in back-off call at once. It does not block.
func (s *Service) TelephonyConnected() { go s.esc.TelephonyConnected() }

// Scheduler returns the service's timer scheduler (for tests and health).
func (s *Service) Scheduler() *Scheduler { return s.sched }

// Escalator returns the service's escalator.
func (s *Service) Escalator() *Escalator { return s.esc }

// Open re-arms every timer from the store (one that came due while the daemon
// was down fires at once), resumes open alarms and starts the scheduler.
func (s *Service) Open(ctx context.Context) error {
	sessions, err := s.store.OpenSessions(ctx)
	if err != nil {
		return err
	}
	runCtx, cancel := context.WithCancel(context.Background())
	s.cancel = cancel
	s.done = make(chan struct{})
	s.esc.Open(runCtx, s.SMS, s.Notify)
	go func() {
		defer close(s.done)
		s.sched.Run(runCtx)
	}()
	for _, sess := range sessions {
		s.watch.Arm(sess)
	}
	if err := s.esc.Resume(ctx); err != nil {
		return err
	}
	s.sched.At("housekeeping", s.clock.Now().Add(time.Minute), s.housekeeping)
	s.log.Info("watchdog armed", "open_sessions", len(sessions), "timers", s.sched.Len())
	return nil
}

// Close stops the scheduler and every running ladder; calls in progress are
// ended by the telephony adapter's own Close.
func (s *Service) Close() error {
	if s.cancel == nil {
		return nil
	}
	s.cancel()
	<-s.done
	s.esc.wait()
	return nil
}

func (s *Service) housekeeping() {
	ctx := context.Background()
	if err := s.store.PurgeExpired(ctx, s.clock.Now()); err != nil {
		s.log.Warn("housekeeping failed", "err", err)
	}
	s.sched.At("housekeeping", s.clock.Now().Add(time.Hour), s.housekeeping)
}

func (s *Service) settings(ctx context.Context) Settings { return readSettings(ctx, s.store, s.log) }

// readSettings returns the stored settings, or the defaults (logged) when
// they cannot be read: an alarm still calls.
func readSettings(ctx context.Context, st interface {
	Settings(context.Context) (Settings, error)
}, log *slog.Logger) Settings {
	set, err := st.Settings(ctx)
	if err != nil {
		log.Error("reading settings failed; using defaults", "err", err)
		return DefaultSettings()
	}
	return set
}

// Warnings returns what the appliance cannot do right now.
func (s *Service) Warnings() []Warning {
	w := []Warning{}
	if s.tel == nil || s.tel.Health().State == HealthDown {
		w = append(w, Warning{Code: WarnTelephonyDown, Message: "De telefooncentrale is nu niet bereikbaar: bij een alarm sturen we sms'jes in plaats van te bellen. Je sessie loopt wel."})
	}
	if s.SMS != nil && s.SMS.Health().State == HealthDown {
		w = append(w, Warning{Code: WarnSMSDown, Message: "Sms'en lukt nu niet: je krijgt mogelijk geen herinnering. Je sessie loopt wel."})
	}
	return w
}

func (s *Service) notify() {
	if s.Notify != nil {
		s.Notify()
	}
}

// ActiveSessions returns how many sessions are running.
func (s *Service) ActiveSessions(ctx context.Context) (int, error) {
	open, err := s.store.OpenSessions(ctx)
	return len(open), err
}
