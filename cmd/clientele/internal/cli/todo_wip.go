package cli

import "context"

func runImport(ctx context.Context, args []string, io IO) int { return ExitFailure }
func runExport(ctx context.Context, args []string, io IO) int { return ExitFailure }
func runErase(ctx context.Context, args []string, io IO) int  { return ExitFailure }
