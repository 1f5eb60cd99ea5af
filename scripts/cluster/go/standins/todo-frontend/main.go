// todo-frontend is a stand-in for the todo app's Next.js frontend (see ../README.md): it serves
// an HTML page at / and, at /api/health, the answer of the backend's /health, fetched from
// $NEXT_PUBLIC_API_URL/health (the chart's ConfigMap frontend-config sets it to
// http://backend-service:8000). It listens on $PORT (default 3000).
package main

import (
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"net/http"
	"os"
	"strings"
	"time"

	"todoctl.local/cluster/standins/internal/serve"
)

var page = template.Must(template.New("page").Parse(`<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Todo Chatbot</title></head>
<body>
<h1>Todo Chatbot</h1>
<p>This page is served by <code>todo-frontend</code>, a stand-in for the todo app's frontend on
the local cluster. It proves the way in: this page through <code>frontend-service</code>, and
<a href="/api/health">/api/health</a> through the backend at <code>{{.}}</code> to the database.</p>
</body>
</html>
`))

type healthReport struct {
	Status        string          `json:"status"`
	Backend       string          `json:"backend"`
	BackendStatus int             `json:"backend_status,omitempty"`
	BackendHealth json.RawMessage `json:"backend_health,omitempty"`
	Error         string          `json:"error,omitempty"`
}

func main() {
	apiURL := strings.TrimRight(os.Getenv("NEXT_PUBLIC_API_URL"), "/")
	if apiURL == "" {
		serve.Logf("NEXT_PUBLIC_API_URL is empty: /api/health has no backend to ask")
	} else {
		serve.Logf("backend: %s", apiURL)
	}
	client := &http.Client{Timeout: 5 * time.Second}

	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_ = page.Execute(w, apiURL)
	})
	mux.HandleFunc("GET /api/health", func(w http.ResponseWriter, r *http.Request) {
		if apiURL == "" {
			serve.WriteJSON(w, http.StatusServiceUnavailable, healthReport{
				Status: "unavailable", Error: "NEXT_PUBLIC_API_URL is empty (the chart sets it in the ConfigMap frontend-config)",
			})
			return
		}
		url := apiURL + "/health"
		req, err := http.NewRequestWithContext(r.Context(), http.MethodGet, url, nil)
		if err != nil {
			serve.WriteJSON(w, http.StatusInternalServerError, healthReport{Status: "unavailable", Backend: url, Error: err.Error()})
			return
		}
		resp, err := client.Do(req)
		if err != nil {
			serve.Logf("api/health: backend %s: %v", url, err)
			serve.WriteJSON(w, http.StatusBadGateway, healthReport{Status: "unavailable", Backend: url, Error: err.Error()})
			return
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
		if err != nil {
			serve.WriteJSON(w, http.StatusBadGateway, healthReport{Status: "unavailable", Backend: url, Error: "reading the answer: " + err.Error()})
			return
		}
		report := healthReport{Status: "ok", Backend: url, BackendStatus: resp.StatusCode}
		if json.Valid(body) {
			report.BackendHealth = body
		} else {
			report.Error = fmt.Sprintf("the backend's answer is not JSON: %.200q", body)
		}
		status := http.StatusOK
		if resp.StatusCode != http.StatusOK {
			report.Status = "unavailable"
			status = http.StatusBadGateway
		}
		serve.WriteJSON(w, status, report)
	})
	if err := serve.Run(serve.Port("3000"), mux); err != nil {
		fmt.Fprintf(os.Stderr, "todo-frontend: %v\n", err)
		os.Exit(1)
	}
}
