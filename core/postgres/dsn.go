package postgres

import (
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"

	"s360gate/core"
)

// Address is where a venue database is, as its DSN names it: for saying
// it and checking it, never its password.
type Address struct {
	User     string `json:"user,omitempty"`
	Host     string `json:"host"`
	Port     uint16 `json:"port"`
	Database string `json:"database"`
	// TLS: every way the DSN allows to reach the server is encrypted
	// (sslmode=require, verify-ca or verify-full). Local: a Unix socket or
	// this machine.
	TLS   bool `json:"tls"`
	Local bool `json:"local"`
}

func (a Address) String() string {
	host := a.Host
	if strings.Contains(host, ":") && !strings.HasPrefix(host, "/") {
		host = "[" + host + "]"
	}
	s := fmt.Sprintf("%s:%d/%s", host, a.Port, a.Database)
	if a.User != "" {
		s = a.User + "@" + s
	}
	return s
}

// ParseDSN reads a venue database's address as Open does (PGHOST,
// PGPASSWORD, ~/.pgpass and the other PG* variables fill what it leaves
// out) and returns it with the password it resolves to, "" for none: the
// caller masks that one everywhere. The error's words never repeat the
// DSN.
func ParseDSN(dsn string) (Address, string, error) {
	if strings.TrimSpace(dsn) == "" {
		return Address{}, "", core.Errorf(core.EInvalid, "No venue database given")
	}
	c, err := pgconn.ParseConfig(dsn)
	if err != nil {
		// pgconn's words hide the password; ours do not repeat the DSN.
		return Address{}, "", core.Wrap(core.EInvalid, err, "The venue database address is not usable (expected postgres://user@host/db or host=… dbname=…)")
	}
	a := Address{User: c.User, Host: c.Host, Port: c.Port, Database: c.Database, TLS: true, Local: true}
	for _, h := range append([]*pgconn.FallbackConfig{{Host: c.Host, Port: c.Port, TLSConfig: c.TLSConfig}}, c.Fallbacks...) {
		a.TLS = a.TLS && h.TLSConfig != nil
		a.Local = a.Local && isLocal(h.Host)
	}
	return a, c.Password, nil
}

// CheckDSN is ParseDSN with Open's transport rule: a database on another
// machine must be reached over TLS unless the venue's network is trusted.
func CheckDSN(dsn string, trustedLAN bool) (Address, string, error) {
	a, pw, err := ParseDSN(dsn)
	if err != nil || trustedLAN {
		return a, pw, err
	}
	c, _ := pgconn.ParseConfig(dsn)
	return a, pw, checkTransport(c)
}
