package main

import (
	"runtime"
	"runtime/debug"
	"strings"
)

// version describes the build from what the Go toolchain recorded in the
// binary: the module version ("(devel)" for a build from a work tree),
// the VCS revision and commit time (and "modified" when the tree had
// uncommitted changes), the Go version and the platform. vfx --version
// prints it.
func version() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		bi = nil
	}
	return formatVersion(bi, runtime.GOOS+"/"+runtime.GOARCH)
}

// formatVersion is version for given build information (nil: none
// recorded), e.g. "v1.2.0 (revision 2131258abcde, 2025-05-01T12:00:00Z,
// modified) go1.26.8 linux/amd64".
func formatVersion(bi *debug.BuildInfo, platform string) string {
	if bi == nil {
		return "unknown (no build information) " + runtime.Version() + " " + platform
	}
	v := bi.Main.Version
	if v == "" {
		v = "(devel)"
	}
	var vcs []string
	settings := map[string]string{}
	for _, s := range bi.Settings {
		settings[s.Key] = s.Value
	}
	if rev := settings["vcs.revision"]; rev != "" {
		vcs = append(vcs, "revision "+rev[:min(len(rev), 12)])
	}
	if t := settings["vcs.time"]; t != "" {
		vcs = append(vcs, t)
	}
	if settings["vcs.modified"] == "true" {
		vcs = append(vcs, "modified")
	}
	if len(vcs) > 0 {
		v += " (" + strings.Join(vcs, ", ") + ")"
	}
	goVersion := bi.GoVersion
	if goVersion == "" {
		goVersion = runtime.Version()
	}
	return v + " " + goVersion + " " + platform
}
