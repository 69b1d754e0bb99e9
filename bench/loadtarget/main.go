// Command loadtarget is the cheap endpoint of bench/load.sh: an HTTP
// server that answers every request as a worker answers a 1×1 blur (a
// small data URL and the worker's cost headers) at once, so that a load
// generator in front of it, not the server, is what is measured.
//
// It listens on -listen (a loopback address) until it is terminated.
// With -body it prints the body of the tiny preset's request instead (for
// wrk's script) and exits.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/specialvfx/vfx/internal/dataurl"
	"github.com/specialvfx/vfx/internal/loadgen"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:8099", "address to listen on")
	body := flag.Bool("body", false, "print the body of the tiny preset's request and exit")
	flag.Parse()
	if *body {
		m, err := loadgen.FindPreset("tiny")
		if err == nil {
			var mix *loadgen.Mix
			if mix, err = m.Load(""); err == nil {
				_, err = os.Stdout.Write(mix.Items()[0].Input.Body)
			}
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "loadtarget:", err)
			os.Exit(1)
		}
		return
	}
	// The answer of a worker to the tiny preset's blur: the same image.
	answer := []byte(dataurl.String("png", loadgen.TinyPNG()))
	srv := &http.Server{
		Addr:              *listen,
		ReadHeaderTimeout: 10 * time.Second,
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			io.Copy(io.Discard, r.Body)
			h := w.Header()
			h.Set("Content-Type", "text/plain; charset=us-ascii")
			h.Set("X-Worker-Id", "loadtarget")
			h.Set("X-Work-Units", "6")
			w.Write(answer)
		}),
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		shut, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(shut)
	}()
	if err := srv.ListenAndServe(); err != nil && err != http.ErrServerClosed {
		fmt.Fprintln(os.Stderr, "loadtarget:", err)
		os.Exit(1)
	}
}
