// todo-backend is a stand-in for the todo app's FastAPI backend (see ../README.md):
//
//	todo-backend [--fail-health]   serve /health on $PORT (default 8000)
//	todo-backend fetch URL         GET URL, print "URL STATUS", fail unless it answers 2xx or 3xx
//
// /health answers 200 when the PostgreSQL database named by DATABASE_URL accepts a connection
// (startup, password authentication, `SELECT 1`), 503 with the reason when it does not, and
// 503 on every request when --fail-health or TODO_BACKEND_FAIL_HEALTH=1 is given.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"time"

	"github.com/jackc/pgx/v5"

	"todoctl.local/cluster/standins/internal/serve"
)

func main() {
	if len(os.Args) > 1 && os.Args[1] == "fetch" {
		if len(os.Args) != 3 {
			fmt.Fprintln(os.Stderr, "usage: todo-backend fetch URL")
			os.Exit(2)
		}
		if err := fetch(os.Args[2]); err != nil {
			fmt.Fprintf(os.Stderr, "todo-backend fetch: %v\n", err)
			os.Exit(1)
		}
		return
	}
	failHealth := flag.Bool("fail-health", os.Getenv("TODO_BACKEND_FAIL_HEALTH") == "1",
		"make /health fail on purpose (also TODO_BACKEND_FAIL_HEALTH=1), to test a failing readiness probe")
	flag.Parse()

	b := &backend{databaseURL: os.Getenv("DATABASE_URL"), failHealth: *failHealth}
	if b.failHealth {
		serve.Logf("/health fails on purpose (--fail-health or TODO_BACKEND_FAIL_HEALTH=1)")
	}
	if b.databaseURL == "" {
		serve.Logf("DATABASE_URL is empty: /health reports no database")
	} else if cfg, err := pgx.ParseConfig(b.databaseURL); err != nil {
		serve.Logf("DATABASE_URL does not parse: %v", err)
	} else {
		serve.Logf("database: %s", describe(cfg))
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /health", b.health)
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, _ *http.Request) {
		serve.WriteJSON(w, http.StatusOK, map[string]string{
			"service": "todo-backend",
			"note":    "a stand-in for the todo app's backend: it answers /health only",
		})
	})
	if err := serve.Run(serve.Port("8000"), mux); err != nil {
		fmt.Fprintf(os.Stderr, "todo-backend: %v\n", err)
		os.Exit(1)
	}
}

type backend struct {
	databaseURL string
	failHealth  bool
}

type healthReport struct {
	Status   string `json:"status"`
	Database string `json:"database"`
	Server   string `json:"server,omitempty"`
	Error    string `json:"error,omitempty"`
}

// health reports whether the database answers, connecting afresh each time so the answer is
// about now, not about a pooled connection.
func (b *backend) health(w http.ResponseWriter, r *http.Request) {
	if b.failHealth {
		const reason = "health check failing on purpose: TODO_BACKEND_FAIL_HEALTH=1 (or --fail-health) is set"
		serve.Logf("health: %s", reason)
		serve.WriteJSON(w, http.StatusServiceUnavailable, healthReport{Status: "failing", Database: "not checked", Error: reason})
		return
	}
	if b.databaseURL == "" {
		serve.WriteJSON(w, http.StatusOK, healthReport{Status: "ok", Database: "not configured (DATABASE_URL is empty)"})
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), 3*time.Second)
	defer cancel()
	where, version, err := checkDatabase(ctx, b.databaseURL)
	if err != nil {
		serve.Logf("health: database %s unreachable: %v", where, err)
		serve.WriteJSON(w, http.StatusServiceUnavailable, healthReport{
			Status: "unavailable", Database: "unreachable: " + where, Error: err.Error(),
		})
		return
	}
	serve.WriteJSON(w, http.StatusOK, healthReport{Status: "ok", Database: "reachable: " + where, Server: version})
}

// checkDatabase connects to url (startup, authentication) and runs SELECT 1; it returns where
// the database is (no password) and the server's version.
func checkDatabase(ctx context.Context, url string) (string, string, error) {
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		return "DATABASE_URL", "", fmt.Errorf("DATABASE_URL does not parse: %w", err)
	}
	where := describe(cfg)
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return where, "", err
	}
	defer conn.Close(context.Background())
	var one int
	if err := conn.QueryRow(ctx, "SELECT 1").Scan(&one); err != nil {
		return where, "", fmt.Errorf("SELECT 1: %w", err)
	}
	if one != 1 {
		return where, "", errors.New("SELECT 1 did not return 1")
	}
	return where, conn.PgConn().ParameterStatus("server_version"), nil
}

// describe names a database without its password: user@host:port/database.
func describe(cfg *pgx.ConnConfig) string {
	return fmt.Sprintf("%s@%s:%d/%s", cfg.User, cfg.Host, cfg.Port, cfg.Database)
}

// fetch is what the chart's test Jobs run in this image (tests.fetchCommand in the chart's
// values): one GET, failing on an error status, as the real image's Python one-liner does.
func fetch(url string) error {
	client := &http.Client{Timeout: 10 * time.Second}
	resp, err := client.Get(url)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	fmt.Println(url, resp.StatusCode)
	if resp.StatusCode >= 400 {
		return fmt.Errorf("%s answered %s", url, resp.Status)
	}
	return nil
}
