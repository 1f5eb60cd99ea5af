// postgres-entrypoint is the entrypoint of the local PostgreSQL image (scripts/cluster/build-images).
// It honours the environment contract of the official postgres image, which the chart's
// StatefulSet is written against:
//
//	POSTGRES_PASSWORD          the superuser's password (required, unless the method is trust)
//	POSTGRES_USER              the superuser (default postgres)
//	POSTGRES_DB                a database created at first start (default: POSTGRES_USER)
//	PGDATA                     the data directory (default /var/lib/postgresql/data)
//	POSTGRES_INITDB_ARGS       extra initdb arguments, split at spaces
//	POSTGRES_HOST_AUTH_METHOD  pg_hba.conf method for connections over TCP (default scram-sha-256)
//
// On an empty data directory it runs initdb (scram-sha-256 passwords; local socket
// connections trusted, as in the official image), lets TCP connections from every address in
// with the password, creates POSTGRES_DB through a server that listens on the socket only, stops
// that server and then becomes `postgres` listening on all addresses. On a data directory that
// already holds a cluster it starts postgres straight away. Any other command runs as given.
// /docker-entrypoint-initdb.d scripts are not supported.
//
// It never runs as root (the image's user is 1001) and writes only to PGDATA and the socket
// directory /var/run/postgresql, so the root filesystem can be read-only.
package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

const socketDir = "/var/run/postgresql"

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintf(os.Stderr, "postgres-entrypoint: error: %v\n", err)
		os.Exit(1)
	}
}

func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "postgres-entrypoint: "+format+"\n", args...)
}

func run(args []string) error {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		args = append([]string{"postgres"}, args...)
	}
	if args[0] != "postgres" {
		return execve(args)
	}
	if os.Geteuid() == 0 {
		return errors.New("PostgreSQL refuses to run as root: run the image as its user 1001 (securityContext.runAsUser)")
	}
	pgdata := envOr("PGDATA", "/var/lib/postgresql/data")
	os.Setenv("PGDATA", pgdata)
	if _, err := os.Stat(filepath.Join(pgdata, "PG_VERSION")); err == nil {
		// As the official image does on every start: the kubelet gives a volume's files to the
		// pod's fsGroup again at each mount (group rwx and setgid), and postgres refuses a data
		// directory that is not 0700 or 0750.
		if err := os.Chmod(pgdata, 0o700); err != nil {
			return fmt.Errorf("making PGDATA %s private again (mode 0700): %w", pgdata, err)
		}
		logf("PGDATA %s holds a database cluster: starting postgres", pgdata)
	} else {
		if err := initialize(pgdata); err != nil {
			return err
		}
	}
	return execve(args)
}

// initialize creates the database cluster in the empty directory pgdata.
func initialize(pgdata string) error {
	user := envOr("POSTGRES_USER", "postgres")
	db := envOr("POSTGRES_DB", user)
	password := os.Getenv("POSTGRES_PASSWORD")
	method := envOr("POSTGRES_HOST_AUTH_METHOD", "scram-sha-256")
	if password == "" && method != "trust" {
		return errors.New("POSTGRES_PASSWORD is empty and PGDATA holds no database yet: set it " +
			"(the chart takes it from the Secret postgres-secrets), or set POSTGRES_HOST_AUTH_METHOD=trust to let anyone in without one")
	}
	if err := os.MkdirAll(pgdata, 0o700); err != nil {
		return fmt.Errorf("creating PGDATA %s: %w: the volume it is on must be writable by uid %d or gid %d "+
			"(the pod's fsGroup makes it so on most volume types, but not on hostPath volumes)", pgdata, err, os.Geteuid(), os.Getegid())
	}
	if err := os.Chmod(pgdata, 0o700); err != nil {
		return fmt.Errorf("making PGDATA %s private (mode 0700): %w", pgdata, err)
	}
	if entries, err := os.ReadDir(pgdata); err != nil {
		return fmt.Errorf("reading PGDATA %s: %w", pgdata, err)
	} else if len(entries) > 0 {
		return fmt.Errorf("PGDATA %s is not empty but holds no database cluster (no PG_VERSION): "+
			"initdb refuses it; empty it, or point PGDATA at a subdirectory", pgdata)
	}

	logf("initializing a database cluster in %s for user %q", pgdata, user)
	initdb := []string{"initdb", "--username=" + user, "--encoding=UTF8", "--locale=C",
		"--auth-local=trust", "--auth-host=" + method}
	if password != "" {
		// The password goes through a pipe, never through a file or the command line.
		initdb = append(initdb, "--pwfile=/dev/stdin")
	}
	initdb = append(initdb, strings.Fields(os.Getenv("POSTGRES_INITDB_ARGS"))...)
	cmd := command(initdb...)
	cmd.Stdin = strings.NewReader(password + "\n")
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("initdb in %s: %w", pgdata, err)
	}
	if err := appendFile(filepath.Join(pgdata, "pg_hba.conf"),
		"\n# Added by the image's entrypoint: clients on other hosts (other pods), with the password.\nhost all all all "+method+"\n"); err != nil {
		return err
	}
	if err := appendFile(filepath.Join(pgdata, "postgresql.conf"), "\nlisten_addresses = '*'\n"); err != nil {
		return err
	}

	if db != "postgres" {
		if err := createDatabase(user, db); err != nil {
			return err
		}
	}
	logf("PostgreSQL init process complete; ready for start up")
	return nil
}

// createDatabase creates db owned by user, through a server that listens on the socket only
// (no client can reach it from outside before it is ready), stopped again afterwards.
func createDatabase(user, db string) error {
	server := command("postgres", "-c", "listen_addresses=", "-c", "unix_socket_directories="+socketDir)
	if err := server.Start(); err != nil {
		return fmt.Errorf("starting the temporary server: %w", err)
	}
	stop := func() error {
		_ = server.Process.Signal(syscall.SIGINT)
		return server.Wait()
	}
	ready := false
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		if command("pg_isready", "--quiet", "--host", socketDir, "--username", user, "--dbname", "postgres").Run() == nil {
			ready = true
			break
		}
	}
	if !ready {
		_ = stop()
		return fmt.Errorf("the temporary server did not accept connections on %s within 60 s (its log is above)", socketDir)
	}
	logf("creating database %q", db)
	psql := command("psql", "--no-psqlrc", "--quiet", "-v", "ON_ERROR_STOP=1", "--host", socketDir,
		"--username", user, "--dbname", "postgres", "-v", "db="+db)
	// A psql variable quotes the name as an identifier, whatever it contains.
	psql.Stdin = strings.NewReader("CREATE DATABASE :\"db\";\n")
	err := psql.Run()
	if stopErr := stop(); stopErr != nil && err == nil {
		err = fmt.Errorf("stopping the temporary server: %w", stopErr)
	} else if err != nil {
		err = fmt.Errorf("creating database %q: %w", db, err)
	}
	return err
}

// command runs a PostgreSQL program with this process's output, so its messages reach the log.
func command(args ...string) *exec.Cmd {
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	cmd.Env = append(os.Environ(), "PGHOST="+socketDir)
	return cmd
}

// execve replaces this process with args, found on PATH, so postgres is the container's
// first process and receives the stop signal itself.
func execve(args []string) error {
	bin, err := exec.LookPath(args[0])
	if err != nil {
		return fmt.Errorf("%s: %w", args[0], err)
	}
	return syscall.Exec(bin, args, os.Environ())
}

func appendFile(p, text string) error {
	f, err := os.OpenFile(p, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	if _, err := f.WriteString(text); err != nil {
		f.Close()
		return fmt.Errorf("writing %s: %w", p, err)
	}
	return f.Close()
}

func envOr(key, fallback string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return fallback
}
