package proxy

import (
	"net/http"
	"time"

	"github.com/specialvfx/vfx/internal/access"
)

// healthClient is the health checker's client: nil (the checker's own)
// without a worker token, else one that sends the token, which a
// worker's /status requires.
func (s *Server) healthClient() *http.Client {
	if s.workerToken.Empty() {
		return nil
	}
	return &http.Client{Transport: access.Transport(&http.Transport{
		MaxIdleConnsPerHost: 2,
		IdleConnTimeout:     time.Minute,
	}, s.workerToken)}
}
