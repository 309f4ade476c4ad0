package syncer

import (
	"context"
	"time"

	"github.com/sirupsen/logrus"

	"s360gate/core"
)

// zoneEvery is how old the stored zone may grow before a cycle asks S-360
// again. The institution's zone hardly ever changes: one getTimeZone in a
// few hours costs nothing of the request budget, and notices a zone that
// was set wrong at the institution and corrected.
const zoneEvery = 6 * time.Hour

// checkZone asks S-360 for the institution's time zone (getTimeZone) when
// none is stored (a station connecting for the first time: before its
// first export, whose times without an offset are read in it), then every
// zoneEvery, and stores it in the sync state: event day, the times S-360
// sends without an offset and the times shown are the venue's, whatever
// zone the laptop is set to. The call goes through the client's limiter
// like any other. A failure is logged and the cycle goes on: the export
// says better what is wrong, and the stored (or the laptop's) zone holds.
func (e *Engine) checkZone(ctx context.Context) {
	now := e.now()
	e.mu.Lock()
	state := e.state
	e.mu.Unlock()
	if state.Zone() != nil && !state.TimeZoneAt.After(now) && now.Sub(state.TimeZoneAt) < zoneEvery {
		return
	}
	name, err := e.remote.TestConnection(ctx)
	e.noteCall(err)
	if err != nil {
		e.log.WithError(err).Warn("cannot ask S-360 for the institution's time zone; keeping " + zoneWords(state.TimeZone))
		return
	}
	if core.LoadZone(name) == nil {
		e.log.WithField("timeZone", name).Warn("S-360 named no time zone this station knows; keeping " + zoneWords(state.TimeZone))
		return
	}
	if name != state.TimeZone {
		e.log.WithFields(logrus.Fields{"timeZone": name, "was": state.TimeZone}).Info("the institution's time zone")
	}
	e.mu.Lock()
	e.state.TimeZone, e.state.TimeZoneAt = name, now
	state = e.state
	e.mu.Unlock()
	if err := e.store.SaveSyncState(ctx, state); err != nil {
		e.log.WithError(err).Warn("cannot store the institution's time zone")
	}
	e.update(func(st *core.SyncStatus) { st.TimeZone = name })
}

func zoneWords(name string) string {
	if core.LoadZone(name) == nil {
		return "the laptop's time zone"
	}
	return "time zone " + name
}
