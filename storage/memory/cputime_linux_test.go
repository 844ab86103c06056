package memory_test

import (
	"syscall"
	"time"
)

// rusageThread is Linux's RUSAGE_THREAD.
const rusageThread = 1

// threadCPU returns the CPU time the calling OS thread has used, or zero
// when it cannot tell. Benchmarks lock their goroutine to its thread and
// report this beside ns/op: on a loaded machine it leaves out the time the
// thread waited for a core and the collector's own workers.
func threadCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(rusageThread, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
