package store

import (
	"context"
	"crypto/rand"
	"errors"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// postgresEnv names the variable holding the URL of a PostgreSQL server the
// tests may use (each test works in its own schema and drops it). Start one
// with: export LIVELY_TEST_DATABASE_URL=$(scripts/postgres.sh start /tmp/lively-pg)
const postgresEnv = "LIVELY_TEST_DATABASE_URL"

func postgresURL(t testing.TB) string {
	u := os.Getenv(postgresEnv)
	if u == "" {
		t.Skip("LIVELY_TEST_DATABASE_URL not set: PostgreSQL conformance skipped")
	}
	return u
}

// postgresSchema creates a fresh schema, dropped at cleanup, and returns a URL
// whose connections use it.
func postgresSchema(t testing.TB) string {
	base := postgresURL(t)
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, base)
	if err != nil {
		t.Fatalf("connect %s: %v", postgresEnv, err)
	}
	defer conn.Close(ctx)
	schema := "lively_test_" + strings.ToLower(rand.Text())
	if _, err := conn.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		conn, err := pgx.Connect(ctx, base)
		if err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("%s must be a postgres:// URL: %v", postgresEnv, err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

func openPostgresHarness(t *testing.T, now func() time.Time) *harness {
	if now == nil {
		now = time.Now
	}
	u := postgresSchema(t)
	open := func(t *testing.T) Store {
		st, err := openPostgres(context.Background(), u, now)
		if err != nil {
			t.Fatal(err)
		}
		return st
	}
	st := open(t)
	t.Cleanup(func() { _ = st.Close() }) // idempotent; tests may close first
	return &harness{Store: st, another: open}
}

func TestPostgres_Conformance(t *testing.T) {
	postgresURL(t)
	runConformance(t, openPostgresHarness)
}

func TestOpenPostgres_ConcurrentMigrations(t *testing.T) {
	u := postgresSchema(t)
	const n = 4
	stores := make([]*Postgres, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { stores[i], errs[i] = OpenPostgres(context.Background(), u) })
	}
	wg.Wait()
	for i := range n {
		if errs[i] != nil {
			t.Fatalf("open %d: %v", i, errs[i])
		}
		defer stores[i].Close()
	}
	var versions int
	if err := stores[0].pool.QueryRow(context.Background(),
		"SELECT count(*) FROM lively_schema_version").Scan(&versions); err != nil {
		t.Fatal(err)
	}
	if versions != len(postgresMigrations()) {
		t.Fatalf("%d migration rows, want %d", versions, len(postgresMigrations()))
	}
}

func TestOpenPostgres_SchemaTooNew(t *testing.T) {
	u := postgresSchema(t)
	st, err := OpenPostgres(context.Background(), u)
	if err != nil {
		t.Fatal(err)
	}
	_, err = st.pool.Exec(context.Background(), "INSERT INTO lively_schema_version (version) VALUES (999)")
	st.Close()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := OpenPostgres(context.Background(), u); !errors.Is(err, ErrSchemaTooNew) {
		t.Fatalf("open = %v, want ErrSchemaTooNew", err)
	}
}

func TestOpenPostgres_BadURL(t *testing.T) {
	_, err := OpenPostgres(context.Background(), "postgres://user:s3cret@127.0.0.1:notaport/db")
	if err == nil || strings.Contains(err.Error(), "s3cret") {
		t.Fatalf("err = %v, want an error without the password", err)
	}
}
