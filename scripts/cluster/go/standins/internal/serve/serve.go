// Package serve is what both stand-ins share: an HTTP server that logs every request to
// stdout (so `kubectl logs` shows it) and stops cleanly on SIGTERM or SIGINT.
package serve

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"
)

// Logf writes one line to stdout, timestamped, prefixed with the program's name.
func Logf(format string, args ...any) {
	fmt.Printf("%s %s: %s\n", time.Now().UTC().Format(time.RFC3339), progName(), fmt.Sprintf(format, args...))
}

func progName() string {
	return filepath.Base(os.Args[0])
}

// Port is $PORT, or fallback when it is unset.
func Port(fallback string) string {
	if p := os.Getenv("PORT"); p != "" {
		return p
	}
	return fallback
}

// Run serves handler on :port until SIGTERM or SIGINT, then lets the requests in flight finish
// (up to 10 s) and returns.
func Run(port string, handler http.Handler) error {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	srv := &http.Server{
		Addr:              ":" + port,
		Handler:           logRequests(handler),
		ReadHeaderTimeout: 10 * time.Second,
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.ListenAndServe() }()
	Logf("listening on :%s", port)
	select {
	case err := <-errc:
		return fmt.Errorf("serving on :%s: %w", port, err)
	case <-ctx.Done():
	}
	Logf("stopping: signal received")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("stopping: %w", err)
	}
	Logf("stopped")
	return nil
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(status int) {
	r.status = status
	r.ResponseWriter.WriteHeader(status)
}

// logRequests logs each request: method, path, status, duration and the client's address.
func logRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(rec, req)
		Logf("%s %s %d %s from %s", req.Method, req.URL.Path, rec.status,
			time.Since(start).Round(time.Millisecond), req.RemoteAddr)
	})
}

// WriteJSON writes body, encoded as JSON, as the response with status.
func WriteJSON(w http.ResponseWriter, status int, body any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(body)
}
