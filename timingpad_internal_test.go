package clientele

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestPads(t *testing.T) {
	var p pads
	start := time.Now()
	p.wait(context.Background(), padLoginFailure)
	assert.Less(t, time.Since(start), 10*time.Second, "nothing observed, no wait")

	p.observe(padLoginFailure, 8*time.Millisecond)
	assert.Equal(t, 8*time.Millisecond, p.avg[padLoginFailure], "the first observation is the average")
	p.observe(padLoginFailure, 16*time.Millisecond)
	assert.Equal(t, 9*time.Millisecond, p.avg[padLoginFailure], "then each weighs 1/8")
	p.observe(padLoginFailure, time.Hour)
	assert.LessOrEqual(t, p.avg[padLoginFailure], maxPad, "bounded")
	assert.Zero(t, p.avg[padResetIssue], "per operation")

	assert.Error(t, p.timed(padResetIssue, func() error { return errors.New("failed") }))
	assert.Zero(t, p.avg[padResetIssue], "a failed write is not a sample")
	assert.NoError(t, p.timed(padResetIssue, func() error { time.Sleep(2 * time.Millisecond); return nil }))
	assert.GreaterOrEqual(t, p.avg[padResetIssue], 2*time.Millisecond)

	p.avg[padClaimIssue] = time.Hour
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	start = time.Now()
	p.wait(ctx, padClaimIssue)
	assert.Less(t, time.Since(start), 10*time.Second, "a done ctx ends the wait (an hour otherwise)")
}
