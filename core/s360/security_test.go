package s360

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"io"
	"log"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"s360gate/core"
	"s360gate/core/s360sim"
)

// TLS: only https (plain http on loopback only, for the simulator), and the
// certificate is always verified. A refusal is said in words.

const tlsPassword = "tls-sim-Pw-4417"

// tlsSim serves a simulator over TLS with the given certificate (nil: the
// httptest one, self-signed for 127.0.0.1, ::1 and example.com) and counts
// the requests that reached it.
func tlsSim(t *testing.T, cert *tls.Certificate) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	sim := s360sim.New(s360sim.Config{Tickets: 50, Seed: 3, RateLimit: -1, Password: tlsPassword})
	var hits atomic.Int32
	ts := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		sim.ServeHTTP(w, r)
	}))
	// The refused handshakes are logged by the server: keep them quiet.
	ts.Config.ErrorLog = log.New(io.Discard, "", 0)
	if cert != nil {
		ts.TLS = &tls.Config{Certificates: []tls.Certificate{*cert}}
	}
	ts.StartTLS()
	t.Cleanup(ts.Close)
	return ts, &hits
}

// tlsClient is a client made by New with the production HTTP client, or
// with the production client trusting roots (the only difference allowed).
func tlsClient(t *testing.T, endpoint string, roots *x509.CertPool) (*Client, *int) {
	t.Helper()
	calls := new(int)
	cfg := Config{Endpoint: endpoint, Institution: "INSTIT", Operator: "gate", Password: tlsPassword,
		Timeout: 5 * time.Second, OnCall: func(core.Call) { *calls++ }}
	if roots != nil {
		hc := defaultHTTPClient(nil)
		hc.Transport.(*http.Transport).TLSClientConfig = &tls.Config{RootCAs: roots}
		cfg.HTTPClient = hc
	}
	c, err := New(cfg)
	if err != nil {
		t.Fatalf("New(%q): %v", endpoint, err)
	}
	return c, calls
}

func rootsOf(certs ...*x509.Certificate) *x509.CertPool {
	p := x509.NewCertPool()
	for _, c := range certs {
		p.AddCert(c)
	}
	return p
}

// wantCertRefusal checks that err is a one-attempt EInvalid refusal in
// words, starting with want.
func wantCertRefusal(t *testing.T, err error, calls int, want string) {
	t.Helper()
	if err == nil {
		t.Fatal("the call went through")
	}
	msg := core.ErrorMessage(err)
	if !strings.HasPrefix(msg, want) || strings.ContainsAny(msg, "\n") || strings.Contains(msg, "x509") || strings.Contains(msg, "tls:") {
		t.Errorf("message %q, want plain words starting with %q", msg, want)
	}
	if code := core.ErrorCode(err); code != core.EInvalid {
		t.Errorf("code %s, want %s (waiting does not fix a certificate)", code, core.EInvalid)
	}
	if calls != 1 {
		t.Errorf("%d attempts, want 1: a certificate refusal is not retried", calls)
	}
}

// TestUntrustedCertificateIsRefused: a self-signed server (a stand-in for
// a man in the middle) is refused by the client as configured in
// production, before any request reaches it. Trusting its certificate makes
// the same call work, so the refusal is the verification's.
func TestUntrustedCertificateIsRefused(t *testing.T) {
	ts, hits := tlsSim(t, nil)
	ep := ts.URL + s360sim.ServicePath

	c, calls := tlsClient(t, ep, nil)
	_, err := c.TestConnection(context.Background())
	wantCertRefusal(t, err, *calls, "The S-360 server's certificate is not trusted")
	_, err = c.ExportList(context.Background(), core.ExportRequest{Season: "SEASON26", Products: []string{"MATCH01"}, PageSize: 10})
	if !strings.HasPrefix(core.ErrorMessage(err), "The S-360 server's certificate is not trusted") {
		t.Errorf("export: %v", err)
	}
	if n := hits.Load(); n != 0 {
		t.Errorf("%d requests reached the untrusted server", n)
	}

	ok, _ := tlsClient(t, ep, rootsOf(ts.Certificate()))
	if _, err := ok.TestConnection(context.Background()); err != nil {
		t.Fatalf("with the certificate trusted: %v", err)
	}
}

// TestCertificateForAnotherName: a certificate from a trusted authority
// that does not name the host called is refused.
func TestCertificateForAnotherName(t *testing.T) {
	ca := newTestCA(t)
	now := time.Now()
	ts, hits := tlsSim(t, ca.issue(t, now.Add(-time.Hour), now.Add(time.Hour), net.IPv4(10, 9, 8, 7)))
	c, calls := tlsClient(t, ts.URL+s360sim.ServicePath, rootsOf(ca.cert))
	_, err := c.TestConnection(context.Background())
	wantCertRefusal(t, err, *calls, "The S-360 server's certificate is for another address than 127.0.0.1")
	if hits.Load() != 0 {
		t.Error("a request reached the server")
	}
}

// TestExpiredCertificate: a certificate from a trusted authority, past its
// end, is refused with a hint at the clock.
func TestExpiredCertificate(t *testing.T) {
	ca := newTestCA(t)
	ts, hits := tlsSim(t, ca.issue(t, time.Now().Add(-48*time.Hour), time.Now().Add(-24*time.Hour)))
	c, calls := tlsClient(t, ts.URL+s360sim.ServicePath, rootsOf(ca.cert))
	_, err := c.TestConnection(context.Background())
	wantCertRefusal(t, err, *calls, "The S-360 server's certificate has expired or is not valid yet")
	if !strings.Contains(core.ErrorMessage(err), "date and time") {
		t.Errorf("no hint at the clock: %q", core.ErrorMessage(err))
	}
	if hits.Load() != 0 {
		t.Error("a request reached the server")
	}

	// The same authority with a current certificate works.
	ts2, _ := tlsSim(t, ca.issue(t, time.Now().Add(-time.Hour), time.Now().Add(time.Hour)))
	c2, _ := tlsClient(t, ts2.URL+s360sim.ServicePath, rootsOf(ca.cert))
	if _, err := c2.TestConnection(context.Background()); err != nil {
		t.Fatalf("current certificate: %v", err)
	}
}

// failDial is a transport that fails the test if it ever opens a connection.
func failDial(t *testing.T) *http.Client {
	tr := defaultHTTPClient(nil).Transport.(*http.Transport)
	tr.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		t.Errorf("dialled %s %s", network, addr)
		return nil, &net.OpError{Op: "dial", Err: net.UnknownNetworkError("refused by the test")}
	}
	tr.DialTLSContext = tr.DialContext
	return &http.Client{Transport: tr}
}

// TestPlainHTTPRefusedBeforeAnyConnection: http:// to anything but this
// machine is refused by New, so no request (whose token is signed with the
// password) can ever be sent in clear.
func TestPlainHTTPRefusedBeforeAnyConnection(t *testing.T) {
	for _, ep := range []string{
		"http://s360.invalid/x", "HTTP://s360.invalid/x", "http://10.0.0.1/x", "http://192.168.1.20:8080/svc",
		"http://[2001:db8::1]/x", "http://localhost.s360.invalid/x", "http://127.0.0.1.nip.io/x",
		"ws://s360.invalid/x", "ftp://s360.invalid/x", "//s360.invalid/x", "s360.invalid/x",
	} {
		_, err := New(Config{Endpoint: ep, Institution: "INSTIT", Operator: "gate", Password: tlsPassword, HTTPClient: failDial(t)})
		if core.ErrorCode(err) != core.EInvalid || !strings.Contains(core.ErrorMessage(err), "https") && !strings.Contains(core.ErrorMessage(err), "not a web address") {
			t.Errorf("New(%q) = %v, want a refusal asking for https", ep, err)
		}
	}
	// Loopback http is the simulator's.
	for _, ep := range []string{"http://127.0.0.1:1/x", "http://localhost:1/x", "http://[::1]:1/x", "http://127.0.0.2:1/x"} {
		if _, err := New(Config{Endpoint: ep, Institution: "INSTIT", Operator: "gate", Password: tlsPassword}); err != nil {
			t.Errorf("New(%q): %v", ep, err)
		}
	}
}

// TestRedirectToPlainHTTPIsNotFollowed: a (trusted) server redirecting to
// plain http elsewhere does not get the request sent there.
func TestRedirectToPlainHTTPIsNotFollowed(t *testing.T) {
	var dialled []string
	ts := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "http://s360.invalid"+r.URL.Path, http.StatusTemporaryRedirect)
	}))
	defer ts.Close()
	hc := defaultHTTPClient(nil)
	tr := hc.Transport.(*http.Transport)
	tr.TLSClientConfig = &tls.Config{RootCAs: rootsOf(ts.Certificate())}
	var d net.Dialer
	tr.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		dialled = append(dialled, addr)
		if !strings.HasPrefix(addr, "127.0.0.1:") {
			t.Errorf("dialled %s", addr)
			return nil, &net.OpError{Op: "dial", Err: net.UnknownNetworkError("refused by the test")}
		}
		return d.DialContext(ctx, network, addr)
	}
	c, err := New(Config{Endpoint: ts.URL + "/svc", Institution: "INSTIT", Operator: "gate", Password: tlsPassword, HTTPClient: hc})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.TestConnection(context.Background())
	if core.ErrorCode(err) != core.EInvalid || !strings.Contains(core.ErrorMessage(err), "https") {
		t.Errorf("redirect to http: %v", err)
	}
	if len(dialled) != 1 {
		t.Errorf("dialled %v, want the TLS server only", dialled)
	}
}

// TestProductionClientVerifies: whatever New is given, the client it makes
// by default never skips verification and trusts the system's roots only.
func TestProductionClientVerifies(t *testing.T) {
	c, err := New(Config{Endpoint: "https://instit.ws.secutix.com/tnci/backend-apis/externalAccessControlService",
		Institution: "INSTIT", Operator: "gate", Password: tlsPassword})
	if err != nil {
		t.Fatal(err)
	}
	tr, ok := c.http.Transport.(*http.Transport)
	if !ok {
		t.Fatalf("transport %T", c.http.Transport)
	}
	if cfg := tr.TLSClientConfig; cfg != nil && (cfg.InsecureSkipVerify || cfg.RootCAs != nil || cfg.VerifyPeerCertificate != nil) {
		t.Errorf("TLS configuration weakened: %+v", cfg)
	}
}

// testCA is a certificate authority the test trusts or not.
type testCA struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
}

func newTestCA(t *testing.T) *testCA {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "s360gate test CA"},
		NotBefore: time.Now().Add(-72 * time.Hour), NotAfter: time.Now().Add(72 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return &testCA{cert: cert, key: key}
}

// issue makes a server certificate valid from notBefore to notAfter, for
// ips (default 127.0.0.1).
func (ca *testCA) issue(t *testing.T, notBefore, notAfter time.Time, ips ...net.IP) *tls.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: "127.0.0.1"},
		NotBefore: notBefore, NotAfter: notAfter, IPAddresses: ips,
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	if len(ips) == 0 {
		tmpl.IPAddresses = []net.IP{net.IPv4(127, 0, 0, 1)}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, &key.PublicKey, ca.key)
	if err != nil {
		t.Fatal(err)
	}
	return &tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}

// TestEndpointWithCredentialsRefused: an address holding a user name and
// password is refused: the password would be stored, logged and sent with
// it, outside the settings' password.
func TestEndpointWithCredentialsRefused(t *testing.T) {
	for _, ep := range []string{"https://user:pa55@s360.example.com/svc", "https://user@s360.example.com/svc", "http://u:p@127.0.0.1:1/x"} {
		_, err := New(Config{Endpoint: ep, Institution: "INSTIT", Operator: "gate", Password: tlsPassword, HTTPClient: failDial(t)})
		if core.ErrorCode(err) != core.EInvalid || strings.Contains(core.ErrorMessage(err), "pa55") || !strings.Contains(core.ErrorMessage(err), "user name or password") {
			t.Errorf("New(%q) = %v", ep, err)
		}
	}
}
