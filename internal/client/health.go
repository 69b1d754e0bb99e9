package client

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
)

// Health asks GET /health and returns the reported status ("ready" or
// "draining"). A draining worker answers 503, which is not an error here.
func (c *Client) Health(ctx context.Context) (string, error) {
	u := c.base + "/health"
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return "", fmt.Errorf("request %s: %w", u, err)
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return "", fmt.Errorf("get %s: %w", u, err)
	}
	defer resp.Body.Close()
	var h struct {
		Status string `json:"status"`
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, maxErrorBody)).Decode(&h); err != nil || h.Status == "" {
		if resp.StatusCode != http.StatusOK {
			return "", responseError(resp)
		}
		return "", fmt.Errorf("get %s: not a health report", u)
	}
	return h.Status, nil
}
