// Command vfx is the single binary of SpecialVFX@Cloud: the offline workloads,
// the worker, the load balancer, the autoscaler and their client commands.
// Each subcommand lives in a file of its own and registers itself with
// addCommand; main is the only place that wires concrete parts together.
package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"

	"github.com/spf13/cobra"
)

// defaultListen is where the servers listen unless --listen says
// otherwise: this machine only, on the original system's port.
const defaultListen = "127.0.0.1:8000"

// commands are the subcommand constructors registered by the files of this
// package.
var commands []func() *cobra.Command

func addCommand(c func() *cobra.Command) { commands = append(commands, c) }

// Exit codes: 1 for a failure, 2 for a usage error (a flag or argument
// that is missing or wrong), with one message each.

// exitCodeError lets a command choose the process exit code.
type exitCodeError struct {
	code int
	err  error
}

func (e *exitCodeError) Error() string { return e.err.Error() }
func (e *exitCodeError) Unwrap() error { return e.err }

func newRootCmd() *cobra.Command {
	var logLevel string
	root := &cobra.Command{
		Use:           "vfx",
		Short:         "SpecialVFX@Cloud: elastic, cost-aware ray tracing, blur and enhance",
		Version:       version(),
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			var lvl slog.Level
			if err := lvl.UnmarshalText([]byte(logLevel)); err != nil {
				return fmt.Errorf("--log-level: %w", err)
			}
			slog.SetDefault(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: lvl})))
			return nil
		},
	}
	root.SetVersionTemplate("vfx {{.Version}}\n")
	// A flag that does not parse is a usage error in every command.
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError(err) })
	root.PersistentFlags().StringVar(&logLevel, "log-level", envOr("VFX_LOG_LEVEL", "info"), "log level: debug, info, warn, error (env VFX_LOG_LEVEL)")
	for _, c := range commands {
		root.AddCommand(c())
	}
	return root
}

func envOr(key, def string) string {
	if v, ok := os.LookupEnv(key); ok && v != "" {
		return v
	}
	return def
}

func main() {
	// The first Ctrl-C (or SIGTERM) stops gracefully, a second one stops
	// now (stopNow).
	ctx, stop := withStopSignals(context.Background())
	err := newRootCmd().ExecuteContext(ctx)
	stop()
	if err == nil {
		return
	}
	fmt.Fprintln(os.Stderr, "vfx:", err)
	var ec *exitCodeError
	if errors.As(err, &ec) {
		os.Exit(ec.code)
	}
	os.Exit(1)
}
