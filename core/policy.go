package core

import (
	"strings"
	"time"

	"s360gate/core/words"
)

// Environment is which S-360 the station talks to.
type Environment string

const (
	EnvSim        Environment = "sim"
	EnvSandbox    Environment = "sandbox"
	EnvPreprod    Environment = "preprod"
	EnvProduction Environment = "production"
)

// Environments in the order a project goes through them.
var Environments = []Environment{EnvSim, EnvSandbox, EnvPreprod, EnvProduction}

func ParseEnvironment(s string) (Environment, error) {
	for _, e := range Environments {
		if strings.EqualFold(s, string(e)) {
			return e, nil
		}
	}
	return "", Errorf(EInvalid, "environment must be sim, sandbox, preprod or production, not %q", s)
}

// Limited reports whether the institution's call-frequency rule applies.
func (e Environment) Limited() bool { return e == EnvPreprod || e == EnvProduction }

// The institution's rule: at most one sync cycle an hour before event day,
// one a minute on event day; and S-360's own limit of 60 requests a minute
// per institution for the whole service (every method counts).
const (
	CycleIntervalBefore   = time.Hour
	CycleIntervalEventDay = time.Minute
	RequestsPerMinute     = 60
)

// CycleInterval is the shortest gap between two sync cycles (0: on demand).
func CycleInterval(env Environment, eventDay bool) time.Duration {
	if !env.Limited() {
		return 0
	}
	if eventDay {
		return CycleIntervalEventDay
	}
	return CycleIntervalBefore
}

// NextCycle is when the next cycle may start, given when the last one did.
func NextCycle(env Environment, eventDay bool, lastCycle time.Time) time.Time {
	iv := CycleInterval(env, eventDay)
	if iv == 0 || lastCycle.IsZero() {
		return time.Time{}
	}
	return lastCycle.Add(iv)
}

// IsEventDay is true in event-day mode, or when today at the venue (in
// zone, the institution's; nil: the laptop's) is the event's date. A laptop
// set to New York must not think the Zurich match is tomorrow.
func IsEventDay(forced bool, ev *Event, now time.Time, zone *time.Location) bool {
	if forced {
		return true
	}
	if ev.Day.IsZero() {
		return false
	}
	y1, m1, d1 := ev.Day.Date()
	y2, m2, d2 := DateIn(now, zone)
	return y1 == y2 && m1 == m2 && d1 == d2
}

// PolicyRefusal says a call is not allowed yet, and when it will be.
type PolicyRefusal struct {
	Next time.Time
	// Env and EventDay are why: the environment's rule, an hour before
	// event day or a minute on it.
	Env      Environment
	EventDay bool
	Zone     *time.Location // the venue's, for the message (nil: the laptop's)
}

func (p *PolicyRefusal) Error() string {
	key, data := p.Words()
	return words.EN.T(key, data)
}

// Words are the refusal in the catalogue's words (each screen says them
// in its language); the time is the venue's, written as ISO dates are.
func (p *PolicyRefusal) Words() (string, map[string]any) {
	key := "policy.refused.hour"
	if p.EventDay {
		key = "policy.refused.minute"
	}
	return key, map[string]any{"At": FormatIn(p.Next, p.Zone, "2006-01-02 15:04:05"), "Env": string(p.Env)}
}
