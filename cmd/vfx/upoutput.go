package main

import (
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/specialvfx/vfx/internal/console"
)

// upLogName is the file of the state directory's logs/ that vfx up writes
// its log to.
const upLogName = "vfx-up.log"

// upOutput is where vfx up writes. The banner, the progress of slow steps
// and, on a terminal, the live status line go to standard output through
// one console. The log goes to STATE-DIR/logs/vfx-up.log at --log-level;
// standard error shows its warnings and errors only, or all of it with -v
// (or an explicit --log-level or VFX_LOG_LEVEL), each line above the status
// line.
type upOutput struct {
	con     *console.Console
	log     *slog.Logger
	logPath string
	verbose bool
	file    *os.File
}

// upConsoleOptions: a spinner after a second on a terminal, a plain line
// after two seconds elsewhere.
var upConsoleOptions = console.Options{LiveAfter: time.Second, PlainAfter: 2 * time.Second}

// newUpOutput opens the log file in stateDir and builds the logger of vfx
// up, which writes above con.
func newUpOutput(cmd *cobra.Command, stateDir string, verbose bool, con *console.Console) (*upOutput, error) {
	level, explicit, err := logLevelOf(cmd)
	if err != nil {
		return nil, err
	}
	dir := filepath.Join(stateDir, "logs")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("--state-dir: %w", err)
	}
	path := filepath.Join(dir, upLogName)
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, fmt.Errorf("log file: %w", err)
	}
	o := &upOutput{con: con, logPath: path, verbose: verbose || explicit, file: f}
	termLevel := slog.LevelWarn
	if o.verbose {
		termLevel = level
	}
	o.log = slog.New(slog.NewMultiHandler(
		slog.NewTextHandler(f, &slog.HandlerOptions{Level: level}),
		slog.NewTextHandler(o.con.Above(cmd.ErrOrStderr()), &slog.HandlerOptions{Level: termLevel}),
	))
	return o, nil
}

// Close closes the log file.
func (o *upOutput) Close() error { return o.file.Close() }

// logLevelOf is the --log-level of cmd, and whether it was chosen
// explicitly (on the command line or with VFX_LOG_LEVEL).
func logLevelOf(cmd *cobra.Command) (slog.Level, bool, error) {
	var level slog.Level
	f := cmd.Flag("log-level")
	if f == nil {
		return slog.LevelInfo, false, nil
	}
	if err := level.UnmarshalText([]byte(f.Value.String())); err != nil {
		return 0, false, fmt.Errorf("--log-level: %w", err)
	}
	_, env := os.LookupEnv("VFX_LOG_LEVEL")
	return level, f.Changed || env, nil
}

// newConsole is a console on w, a terminal's when w is a terminal.
func newConsole(w io.Writer, o console.Options) *console.Console {
	if f, ok := w.(*os.File); ok {
		return console.ForFile(f, o)
	}
	return console.New(w, o)
}
