package check

import (
	"github.com/contingencia/contingencia/storage/storetest"
	"testing"
)

// databaseURL is the test database (storetest.PostgresURL: fails when
// CI=true and it is unreachable, skips otherwise).
func databaseURL(tb testing.TB) string {
	tb.Helper()
	return storetest.PostgresURL(tb)
}

func TestPostgres(t *testing.T) {
	dsn := databaseURL(t)
	cases := []struct {
		name    string
		params  map[string]any
		wantMsg string
		wantErr string
	}{
		{"the query returns the expected value", map[string]any{"dsn": dsn, "query": "select 40 + 2", "expect": "42"}, "la consulta devolvió \"42\"", ""},
		{"text values compare as text", map[string]any{"dsn": dsn, "query": "select 'Quipux'::text, 1"}, "devolvió \"Quipux\"", ""},
		{"another value fails", map[string]any{"dsn": dsn, "query": "select 41", "expect": "42"}, "", "la consulta devolvió \"41\", se esperaba \"42\""},
		{"NULL is not a value", map[string]any{"dsn": dsn, "query": "select null::int", "expect": ""}, "", "devolvió NULL"},
		{"no rows fails", map[string]any{"dsn": dsn, "query": "select 1 where false"}, "", "no devolvió filas"},
		{"a broken query fails", map[string]any{"dsn": dsn, "query": "select * from tabla_que_no_existe"}, "", "la consulta falló"},
		{"an unreachable server fails", map[string]any{"dsn": "postgres://root@127.0.0.1:1/postgres?sslmode=disable&connect_timeout=2", "query": "select 1"}, "", "no acepta conexiones"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res, err := run(t, New(Config{}), "check.postgres", tc.params)
			expect(t, res, err, tc.wantMsg, tc.wantErr)
		})
	}
}
