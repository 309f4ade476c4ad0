package ui

import (
	"context"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"

	"s360gate/core"
	"s360gate/core/words"
)

// deskAsk is the "Ask S-360 now" button and what S-360 answered. The
// station's copy of a ticket is only as fresh as the last sync: a ticket
// cancelled ten minutes ago, or one not exported yet, is known to S-360
// first. The call runs off the UI goroutine; the desk keeps working.
type deskAsk struct {
	s   *DeskScreen
	btn *widget.Button
	out *widget.Label
	key string // barcode or taxNumber to ask about; "" hides the button
	seq int
}

func newDeskAsk(s *DeskScreen) *deskAsk {
	a := &deskAsk{s: s}
	a.btn = widget.NewButton(T("remote.ask"), a.run)
	a.out = widget.NewLabel("")
	a.out.Wrapping = fyne.TextWrapWord
	a.btn.Hide()
	a.out.Hide()
	return a
}

// setKey points the section at another ticket (or hides it for "").
func (a *deskAsk) setKey(key string) {
	a.key = key
	a.seq++ // an answer still on its way is for the previous ticket
	deskSay(a.out, "")
	if key == "" {
		a.btn.Hide()
		return
	}
	a.btn.Show()
	a.refreshButton()
}

func (a *deskAsk) remote() core.Remote {
	if a.s.d.Remote == nil {
		return nil
	}
	return a.s.d.Remote()
}

// refreshButton reflects whether there is an S-360 to ask at all: the
// remote changes when settings are saved.
func (a *deskAsk) refreshButton() {
	if a.remote() == nil {
		a.btn.SetText(T("remote.notConnected"))
		a.btn.Disable()
		return
	}
	a.btn.SetText(T("remote.ask"))
	a.btn.Enable()
}

func (a *deskAsk) run() {
	r := a.remote()
	if r == nil || a.key == "" {
		a.refreshButton()
		return
	}
	a.seq++
	seq, key := a.seq, a.key
	a.btn.Disable()
	a.btn.SetText(T("remote.asking"))
	deskSay(a.out, "")
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		rt, err := r.ControlledTicket(ctx, key)
		if err != nil && a.s.d.Log != nil {
			a.s.d.Log.WithError(err).Warn("dispute desk: getControlledTicket failed")
		}
		a.s.do(func() {
			if seq != a.seq {
				return
			}
			a.refreshButton()
			deskSay(a.out, deskRemoteWords(key, rt, err, a.s.current(), a.s.now()))
		})
	}()
}

// current is the ticket shown at the desk (nil in the not-found state).
func (s *DeskScreen) current() *core.Ticket {
	for i := range s.results {
		if s.detail.showing && s.results[i].Ticket.Barcode == s.detail.current {
			return &s.results[i].Ticket
		}
	}
	return nil
}

// deskRemoteWords turns S-360's answer (controlledTicketData) into
// sentences for the desk: its state, every field only S-360 tells (a
// reprint, the medium, when it was printed, its container), and its
// control operations, times at the venue.
func deskRemoteWords(key string, rt core.RemoteTicket, err error, local *core.Ticket, now time.Time) string {
	if err != nil {
		switch core.ErrorCode(err) {
		case core.ENotFound:
			return T("remote.unknown", map[string]any{"Code": key})
		case core.EAuth:
			return T("remote.auth")
		}
		return T("remote.down")
	}
	var b strings.Builder
	b.WriteString(T("remote.answered", map[string]any{"At": deskClock(now, now)}))
	t := rt.Ticket
	if t.State != "" {
		if w := say().Cause(t.CancellationCause); w != "" {
			b.WriteString(T("remote.stateCause", map[string]any{"State": string(t.State), "Cause": w}))
		} else {
			b.WriteString(T("remote.state", map[string]any{"State": string(t.State)}))
		}
		b.WriteString(".")
		if local != nil && local.State != t.State {
			b.WriteString(T("remote.stillHas", map[string]any{"State": string(local.State)}))
		}
	}
	if local == nil && t.TaxNumber != "" {
		b.WriteString(T("remote.taxNumber", map[string]any{"N": t.TaxNumber}))
	}
	var facts []string
	if rt.Duplicate != nil {
		if *rt.Duplicate {
			facts = append(facts, T("remote.reprintYes"))
		} else {
			facts = append(facts, T("remote.reprintNo"))
		}
	}
	if rt.TicketMedium != "" {
		facts = append(facts, T("remote.medium", map[string]any{"M": deskMediumWords(rt.TicketMedium)}))
	}
	if rt.TicketKind != "" {
		facts = append(facts, T("remote.kind", map[string]any{"K": rt.TicketKind}))
	}
	if !rt.PrintedAt.IsZero() {
		facts = append(facts, T("remote.printedAt", map[string]any{"At": deskClock(rt.PrintedAt, now)}))
	}
	if t.ContainerID != "" {
		facts = append(facts, T("remote.onCard", map[string]any{"Card": t.ContainerID}))
	}
	if rt.ContainerTicket != nil && *rt.ContainerTicket {
		facts = append(facts, T("remote.container"))
	}
	if len(facts) > 0 {
		b.WriteString("\n" + strings.Join(facts, " · ") + ".")
	}
	if len(rt.Operations) == 0 {
		b.WriteString("\n" + T("remote.noControl"))
	} else {
		b.WriteString("\n" + T("remote.operations"))
	}
	for _, op := range rt.Operations {
		b.WriteString("\n" + deskClock(op.At, now) + "  " + op.Result + deskOpWords(op.Result))
		if op.Device != "" {
			b.WriteString(T("remote.atDevice", map[string]any{"Device": op.Device}))
		}
	}
	return b.String()
}

// deskMediumWords names S-360's ticketMedium for the desk.
func deskMediumWords(m string) string {
	if key := "medium." + strings.ToUpper(m); words.Has(key) {
		return T(key)
	}
	return m
}

func deskOpWords(result string) string {
	if key := "remote.op." + strings.ToUpper(result); words.Has(key) {
		return T(key)
	}
	return ""
}
