package main

import (
	"fmt"
	"os"

	"github.com/spf13/pflag"

	"github.com/specialvfx/vfx/internal/access"
)

// maxTokenFile bounds a token file.
const maxTokenFile = 64 << 10

// tokenFlag is a shared secret given as --NAME, in the file named by
// --NAME-file, or in the environment variable env: the flag first, then
// the file, then the environment. A flag shows the token to anyone who
// lists the machine's processes; the file and the variable do not.
type tokenFlag struct {
	name, env, what string
	value, file     string
}

func newTokenFlag(name, env, what string) *tokenFlag {
	return &tokenFlag{name: name, env: env, what: what}
}

// Names of the tokens and of the variables that hold them.
const (
	envAdminToken  = "VFX_ADMIN_TOKEN"
	envWorkerToken = "VFX_WORKER_TOKEN"
)

func adminTokenFlag() *tokenFlag {
	return newTokenFlag("admin-token", envAdminToken, "admin token: /api/v1/* and /metrics require it as a bearer token")
}

func workerTokenFlag() *tokenFlag {
	return newTokenFlag("worker-token", envWorkerToken, "worker token the load balancer and its workers share: workers serve only requests that carry it")
}

// bind registers --NAME and --NAME-file on fs.
func (t *tokenFlag) bind(fs *pflag.FlagSet) {
	fs.StringVar(&t.value, t.name, "", t.what+" (visible to anyone listing processes: prefer --"+t.name+"-file or $"+t.env+")")
	pathVar(fs, &t.file, t.name+"-file", "file holding the "+t.name+" (white space around it ignored)")
}

// secret is the token from the flag, the file or the environment; the
// zero Secret when none is set. Errors name the source, never the token.
func (t *tokenFlag) secret() (access.Secret, error) {
	var raw, source string
	switch {
	case t.value != "" && t.file != "":
		return access.Secret{}, fmt.Errorf("--%s and --%s-file: give one of them", t.name, t.name)
	case t.value != "":
		raw, source = t.value, "--"+t.name
	case t.file != "":
		b, err := readLimited(t.file, maxTokenFile)
		if err != nil {
			return access.Secret{}, fmt.Errorf("--%s-file: %w", t.name, err)
		}
		raw, source = string(b), "--"+t.name+"-file "+t.file
	default:
		v, ok := os.LookupEnv(t.env)
		if !ok {
			return access.Secret{}, nil
		}
		raw, source = v, "$"+t.env
	}
	s, err := access.ParseSecret(raw)
	if err != nil {
		return access.Secret{}, fmt.Errorf("%s: %w", source, err)
	}
	return s, nil
}

// checkExposure refuses to serve the load balancer's admin and state
// endpoints beyond this machine without an admin token.
func checkExposure(listen string, admin access.Secret) error {
	loopback, err := access.Loopback(listen)
	if err != nil {
		return usageError(fmt.Errorf("--listen: %w", err))
	}
	if loopback || !admin.Empty() {
		return nil
	}
	return usageError(fmt.Errorf("--listen %s reaches beyond this machine: set an admin token with --admin-token-file FILE or $%s "+
		"(e.g. openssl rand -hex 32 > admin.token), or listen on 127.0.0.1", listen, envAdminToken))
}
