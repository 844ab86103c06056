// Package cli is the clientele operator command, behind a function that
// tests call with arguments and streams: Run(ctx, args, io) returns the
// process's exit code.
package cli
