package main

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func get(t *testing.T, b *backend) (int, string) {
	t.Helper()
	rec := httptest.NewRecorder()
	b.health(rec, httptest.NewRequest(http.MethodGet, "/health", nil))
	return rec.Code, rec.Body.String()
}

func TestHealth(t *testing.T) {
	for _, c := range []struct {
		name   string
		b      backend
		status int
		body   string
	}{
		{"failing on purpose", backend{databaseURL: "postgresql://u:p@127.0.0.1:1/db", failHealth: true}, 503, "failing on purpose: TODO_BACKEND_FAIL_HEALTH=1"},
		{"no database", backend{}, 200, `"database": "not configured (DATABASE_URL is empty)"`},
		{"database down", backend{databaseURL: "postgresql://u:secret@127.0.0.1:1/db?connect_timeout=2"}, 503, `"database": "unreachable: u@127.0.0.1:1/db"`},
		{"bad url", backend{databaseURL: "postgresql://u:secret@127.0.0.1:notaport/db"}, 503, "DATABASE_URL does not parse"},
	} {
		status, body := get(t, &c.b)
		if status != c.status || !strings.Contains(body, c.body) {
			t.Errorf("%s: %d %s; want %d and %q", c.name, status, body, c.status, c.body)
		}
		if strings.Contains(body, "secret") {
			t.Errorf("%s: the answer shows the password: %s", c.name, body)
		}
	}
}
