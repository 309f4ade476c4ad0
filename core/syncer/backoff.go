package syncer

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net"
	"slices"
	"strings"
	"time"

	"github.com/sirupsen/logrus"

	"s360gate/core"
)

// maxBackoff caps one wait between retries (a Retry-After asks for more,
// up to the two minutes the client reads of it).
const maxBackoff = 30 * time.Second

// call runs one S-360 request, retrying transient failures (S-360
// unreachable or overloaded, 5xx, 509/429, a timeout) with exponential
// backoff and jitter, never sooner than S-360's Retry-After. Retrying is
// safe because S-360 calls are transactional: a call that failed did
// nothing. Anything else (credentials, a refusal, a shutdown) is returned
// at once. After the last retry the error is returned and the work waits
// for the next cycle.
//
// The engine is the one owner of retries: the S-360 client makes one
// attempt per call (core/s360's do), each within its request budget, so
// that a cycle makes at most 1+Retries attempts of a request, and says so.
func (e *Engine) call(ctx context.Context, method string, fn func(context.Context) error) error {
	for attempt := 0; ; attempt++ {
		err := fn(ctx)
		e.noteCall(err)
		if err == nil || !transient(ctx, err) || attempt >= e.retries {
			return err
		}
		d := e.delay(attempt)
		var slow *core.SlowDown
		if errors.As(err, &slow) && d < slow.RetryAfter {
			d = slow.RetryAfter + time.Duration(e.jitter()*float64(time.Second))
		}
		if dl, ok := ctx.Deadline(); ok && time.Until(dl) < d {
			return err // the caller cannot wait that long: the next cycle will
		}
		e.log.WithFields(logrus.Fields{"method": method, "attempt": attempt + 1, "wait": d.Round(time.Millisecond)}).
			WithError(err).Warn("S-360 call failed, retrying")
		if e.onRetry != nil {
			e.onRetry(Retry{Method: method, Err: err, Retry: attempt + 1, Of: e.retries, Wait: d})
		}
		if serr := e.sleep(ctx, d); serr != nil {
			return err
		}
	}
}

// delay is the wait before retry n+1: Backoff·2ⁿ, capped, then drawn in
// [d/2, d) so that several stations failing together do not retry together.
func (e *Engine) delay(n int) time.Duration {
	d := e.backoff << n
	if d > maxBackoff || d <= 0 {
		d = maxBackoff
	}
	return d/2 + time.Duration(e.jitter()*float64(d/2))
}

// transient reports whether err is worth retrying within the cycle.
func transient(ctx context.Context, err error) bool {
	if ctx.Err() != nil {
		return false
	}
	var rej *core.RejectedError
	if errors.As(err, &rej) {
		return false
	}
	switch core.ErrorCode(err) {
	case core.EUnavailable, core.ERefused:
		return true
	case core.EAuth, core.EInvalid, core.ENotFound, core.EConflict:
		return false
	}
	// A per-call timeout (the caller's ctx is still alive) or a network
	// error the client did not classify.
	if errors.Is(err, context.DeadlineExceeded) {
		return true
	}
	var ne net.Error
	return errors.As(err, &ne)
}

// reached tells whether err came from S-360 answering (online) or from
// not reaching it; ok is false when err says neither (a shutdown).
func reached(err error) (online, ok bool) {
	var rej *core.RejectedError
	switch {
	case err == nil, errors.As(err, &rej):
		return true, true
	case errors.Is(err, context.Canceled):
		return false, false
	case errors.Is(err, context.DeadlineExceeded), core.ErrorCode(err) == core.EUnavailable,
		errors.Is(err, core.ErrNoRemote): // no client, no call: not online

		return false, true
	}
	var ne net.Error
	if errors.As(err, &ne) || untrustedServer(err) {
		return false, true
	}
	return true, true
}

// untrustedServer reports a refused TLS certificate: whoever answered was
// not shown to be S-360, and nothing was sent, so it is no contact.
func untrustedServer(err error) bool {
	var (
		verify   *tls.CertificateVerificationError
		unknown  x509.UnknownAuthorityError
		hostname x509.HostnameError
		invalid  x509.CertificateInvalidError
	)
	return errors.As(err, &verify) || errors.As(err, &unknown) || errors.As(err, &hostname) || errors.As(err, &invalid)
}

// plainWords is an error as a supervisor reads it, in English.
func plainWords(err error) string { return saidOf(err).Text }

// saidOf is an error as a supervisor reads it, in the catalogue's words
// when it has them (each screen says them in its language).
func saidOf(err error) core.Said {
	var rej *core.RejectedError
	switch {
	case err == nil:
		return core.Said{}
	case errors.As(err, &rej):
		return core.SayWords("sync.err.rejected", nil)
	case core.ErrorCode(err) == core.EAuth:
		// The client's own words name the cause (a wrong clock too).
		if w := core.SaidOf(err); strings.HasPrefix(w.Key, "s360.err.auth") || strings.HasPrefix(w.Text, "S-360 rejected the credentials") {
			return w
		}
		return core.SayWords("sync.err.auth", nil)
	case errors.Is(err, context.DeadlineExceeded) && core.ErrorCode(err) == core.EInternal:
		return core.SayWords("sync.err.timeout", nil)
	}
	return core.SaidOf(err)
}

// shownError is what the status keeps of a cycle's error: its words, in
// English and in the catalogue's, or nothing for a shutdown (stopping is
// not a failure to show).
func shownError(ctx context.Context, err error) (string, []core.Said) {
	if err == nil || (ctx.Err() != nil && errors.Is(err, ctx.Err())) {
		return "", nil
	}
	var words []string
	var said []core.Said
	for _, e := range unjoin(err) {
		if w := saidOf(e); w.Text != "" && !slices.Contains(words, w.Text) {
			words, said = append(words, w.Text), append(said, w)
		}
	}
	return strings.Join(words, "; "), said
}

// unjoin splits an errors.Join into its parts.
func unjoin(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}
