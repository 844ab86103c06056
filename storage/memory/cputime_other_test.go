//go:build !linux

package memory_test

import "time"

// threadCPU returns zero: only Linux reports a thread's CPU time.
func threadCPU() time.Duration { return 0 }
