package docker

import (
	"path/filepath"
	"strings"

	"github.com/specialvfx/vfx/internal/provider"
)

// Mount points of the host directories in a worker container.
const (
	dataMount  = "/data"  // the state directory
	storeMount = "/store" // the directory of a SQLite store outside it
)

// storeArgs turns the metrics store URL of the deployment into the --store
// value a container gets and the bind mounts that value needs:
//
//   - "" or "none": "none" (a container's own file system is thrown away
//     with it, so a worker default store would be lost);
//   - sqlite:PATH with PATH under the state directory: the state directory
//     is mounted at /data and the worker opens sqlite:/data/<rel>;
//   - sqlite:PATH elsewhere: PATH's directory is mounted at /store and the
//     worker opens sqlite:/store/<name>;
//   - any other scheme (e.g. dynamodb): passed unchanged; the container
//     must be able to reach that store by itself.
//
// Relative paths are taken from the working directory. A "?query" suffix
// of a SQLite URL is kept. Errors are *provider.FieldError of "store" or
// "state dir".
func storeArgs(store, stateDir string) (arg string, binds []string, err error) {
	if store == "" || store == "none" {
		return "none", nil, nil
	}
	scheme, rest, ok := strings.Cut(store, ":")
	if !ok || !strings.EqualFold(scheme, "sqlite") {
		return store, nil, nil
	}
	rest = strings.TrimPrefix(rest, "//")
	path, query, hasQuery := strings.Cut(rest, "?")
	if path == "" {
		return "", nil, provider.Invalid("store", "%q: empty sqlite path", store)
	}
	if strings.ContainsAny(path, ":\x00") {
		return "", nil, provider.Invalid("store", "%q: a sqlite path shared with containers must not contain ':' or NUL", store)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", nil, provider.Invalid("store", "%q: %w", store, err)
	}
	stateAbs, err := filepath.Abs(stateDir)
	if err != nil {
		return "", nil, provider.Invalid("state dir", "%q: %w", stateDir, err)
	}
	if strings.ContainsAny(stateAbs, ":\x00") {
		return "", nil, provider.Invalid("state dir", "%q: must not contain ':' or NUL to be mounted", stateDir)
	}
	suffix := ""
	if hasQuery {
		suffix = "?" + query
	}
	if rel, err := filepath.Rel(stateAbs, abs); err == nil && rel != "." && rel != ".." && !strings.HasPrefix(rel, "../") {
		return "sqlite:" + dataMount + "/" + filepath.ToSlash(rel) + suffix,
			[]string{stateAbs + ":" + dataMount}, nil
	}
	return "sqlite:" + storeMount + "/" + filepath.Base(abs) + suffix,
		[]string{filepath.Dir(abs) + ":" + storeMount}, nil
}
