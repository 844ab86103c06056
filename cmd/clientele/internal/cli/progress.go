package cli

import (
	"fmt"
	"io"
	"strings"
	"sync/atomic"
	"time"

	"github.com/clientele-go/clientele/bulk"
)

// lineEvery is how often, at most, progress is printed as a plain line
// when stderr is not a terminal (a log file, a CI job).
var lineEvery = 2 * time.Second

// progress shows an import's or export's progress on stderr: a bar redrawn
// in place on a terminal (with a percentage when the input's size is
// known), else a plain line now and then.
type progress struct {
	w        io.Writer
	tty      bool
	verb     string
	total    int64         // the input's size in bytes, 0 if unknown
	read     *atomic.Int64 // bytes read so far, nil if unknown
	start    time.Time
	lastLine time.Time
	drawn    bool
}

func newProgress(w io.Writer, tty bool, verb string) *progress {
	return &progress{w: w, tty: tty, verb: verb, start: time.Now()}
}

// update shows p's counts.
func (p *progress) update(c bulk.Progress) {
	now := time.Now()
	rate := float64(c.Read) / max(now.Sub(p.start).Seconds(), 1e-3)
	counts := fmt.Sprintf("%d rows  (%d %s, %d skipped, %d failed)  %.0f rows/s", c.Read, c.Imported, p.verb, c.Skipped, c.Failed, rate)
	if p.verb == "exported" {
		counts = fmt.Sprintf("%d customers exported  %.0f/s", c.Read, rate)
	}
	if !p.tty {
		if now.Sub(p.lastLine) < lineEvery {
			return
		}
		p.lastLine = now
		fmt.Fprintf(p.w, "progress: %s\n", counts)
		return
	}
	bar := ""
	if p.total > 0 && p.read != nil {
		frac := min(float64(p.read.Load())/float64(p.total), 1)
		const width = 30
		n := int(frac * width)
		bar = fmt.Sprintf("[%s%s] %3.0f%%  ", strings.Repeat("#", n), strings.Repeat(".", width-n), frac*100)
	}
	fmt.Fprintf(p.w, "\r\033[K%s%s", bar, counts)
	p.drawn = true
}

// done ends the bar's line.
func (p *progress) done() {
	if p.tty && p.drawn {
		fmt.Fprintln(p.w)
	}
}

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n *atomic.Int64
}

func (c countingReader) Read(b []byte) (int, error) {
	n, err := c.r.Read(b)
	c.n.Add(int64(n))
	return n, err
}
