package clientele

import (
	"context"
	"sync"
	"time"
)

// Padding the answers that would otherwise be faster than the real ones.
//
// A sign-in with a wrong password on a real account commits a failure
// count, and a reset request or claim for a real address commits a token;
// the answers for an unknown address, a guest or a disabled account write
// nothing. On a SQL store that commit is a millisecond or more (an fsync),
// 5 to 15% of a sign-in: enough for a patient caller to tell the cases
// apart by timing. So the services time the writes the real paths make,
// keep a moving average per operation, and make the answers that skip the
// write wait that long instead. The wait ends early when ctx does.

// Operations padded.
const (
	padLoginFailure = iota // the failure count of a wrong password
	padResetIssue          // the token of a password reset
	padClaimIssue          // the token of an order claim
	padCount
)

// maxPad bounds a wait: a database that stalled once must not slow every
// answer for long.
const maxPad = 250 * time.Millisecond

// minPad is the shortest wait worth making: a timer's wake-up comes late
// by up to about a millisecond, so a shorter wait (the memory store's
// writes take microseconds) would add more difference than it removes.
const minPad = time.Millisecond

// pads keeps the moving averages; the zero value is ready.
type pads struct {
	mu  sync.Mutex
	avg [padCount]time.Duration
}

// observe folds d, the time a real path's write took, into op's average
// (an exponentially weighted one: each new time weighs 1/8).
func (p *pads) observe(op int, d time.Duration) {
	d = min(d, maxPad)
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.avg[op] == 0 {
		p.avg[op] = d
		return
	}
	p.avg[op] += (d - p.avg[op]) / 8
}

// wait sleeps for op's average write time, or until ctx ends.
func (p *pads) wait(ctx context.Context, op int) {
	p.mu.Lock()
	d := p.avg[op]
	p.mu.Unlock()
	if d < minPad {
		return
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}

// timed runs fn and folds its duration into op's average when it succeeds.
func (p *pads) timed(op int, fn func() error) error {
	start := time.Now()
	err := fn()
	if err == nil {
		p.observe(op, time.Since(start))
	}
	return err
}
