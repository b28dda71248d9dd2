package check

import (
	"context"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
	"github.com/miekg/dns"
)

func TestHTTP(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, _ *http.Request) { fmt.Fprint(w, "Quipux: sistema de gestión documental") })
	mux.HandleFunc("/down", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusServiceUnavailable) })
	release := make(chan struct{})
	mux.HandleFunc("/hang", func(http.ResponseWriter, *http.Request) { <-release })
	srv := httptest.NewUnstartedServer(mux)
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the untrusted-certificate case logs a handshake error
	srv.StartTLS()
	defer srv.Close()
	defer close(release) // before Close, which waits for handlers
	roots := srv.Client().Transport.(*http.Transport).TLSClientConfig.RootCAs
	notAfter := srv.Certificate().NotAfter
	days := func(left time.Duration) func() time.Time { return clock(notAfter.Add(-left)) }

	cases := []struct {
		name    string
		now     func() time.Time
		roots   bool
		params  map[string]any
		wantMsg string
		wantErr string
	}{
		{"status, body and certificate", days(89*24*time.Hour + time.Hour), true,
			map[string]any{"url": srv.URL, "contains": "Quipux", "min_cert_validity": "30d"}, "; contiene \"Quipux\"; certificado válido 89 días", ""},
		{"reports the status and latency", time.Now, true, map[string]any{"url": srv.URL}, "HTTP 200 en ", ""},
		{"an unexpected status fails", time.Now, true, map[string]any{"url": srv.URL + "/down"}, "", "HTTP 503, se esperaba 200"},
		{"an expected error status passes", time.Now, true, map[string]any{"url": srv.URL + "/down", "status": 503}, "HTTP 503", ""},
		{"missing text fails", time.Now, true, map[string]any{"url": srv.URL, "contains": "FirmaEC"}, "", "no contiene \"FirmaEC\""},
		{"a certificate about to expire fails", days(10*24*time.Hour + time.Hour), true,
			map[string]any{"url": srv.URL, "min_cert_validity": "30d"}, "", "el certificado vence en 10 días"},
		{"an untrusted certificate fails", time.Now, false, map[string]any{"url": srv.URL}, "", "certificate"},
		{"a hanging server hits the timeout", time.Now, true, map[string]any{"url": srv.URL + "/hang", "timeout": "200ms"}, "", "sin respuesta en 200 ms"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg := Config{Now: tc.now}
			if tc.roots {
				cfg.RootCAs = roots
			}
			res, err := run(t, New(cfg), "check.http", tc.params)
			expect(t, res, err, tc.wantMsg, tc.wantErr)
		})
	}
}

func TestTCP(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	closed, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closedAddr := closed.Addr().String()
	closed.Close()
	cases := []struct {
		name, addr, wantMsg, wantErr string
	}{
		{"an open port", l.Addr().String(), "TCP " + l.Addr().String() + " abierto en", ""},
		{"a closed port", closedAddr, "", "TCP " + closedAddr + " no responde"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res, err := run(t, New(Config{}), "check.tcp", map[string]any{"address": tc.addr, "timeout": "2s"})
			expect(t, res, err, tc.wantMsg, tc.wantErr)
		})
	}
}

// dnsServer serves quipux.example. A 10.0.0.5 and 10.0.0.6 on 127.0.0.1.
func dnsServer(tb testing.TB) string {
	tb.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	handler := dns.HandlerFunc(func(w dns.ResponseWriter, r *dns.Msg) {
		m := new(dns.Msg)
		m.SetReply(r)
		q := r.Question[0]
		switch {
		case q.Name == "quipux.example." && q.Qtype == dns.TypeA:
			for _, ip := range []string{"10.0.0.5", "10.0.0.6"} {
				m.Answer = append(m.Answer, &dns.A{Hdr: dns.RR_Header{Name: q.Name, Rrtype: dns.TypeA, Class: dns.ClassINET, Ttl: 60}, A: net.ParseIP(ip)})
			}
		case q.Name == "quipux.example.":
		default:
			m.Rcode = dns.RcodeNameError
		}
		_ = w.WriteMsg(m)
	})
	started := make(chan struct{})
	srv := &dns.Server{PacketConn: pc, Handler: handler, NotifyStartedFunc: func() { close(started) }}
	done := make(chan error, 1)
	go func() { done <- srv.ActivateAndServe() }()
	<-started
	tb.Cleanup(func() {
		if err := srv.Shutdown(); err != nil {
			tb.Errorf("stopping the DNS server: %v", err)
		}
		<-done
	})
	return pc.LocalAddr().String()
}

func TestDNS(t *testing.T) {
	server := dnsServer(t)
	cases := []struct {
		name    string
		params  map[string]any
		wantMsg string
		wantErr string
	}{
		{"resolves to the expected addresses", map[string]any{"name": "quipux.example", "expect": []any{"10.0.0.5", "10.0.0.6"}},
			"DNS quipux.example → 10.0.0.5, 10.0.0.6 en", ""},
		{"extra addresses are reported", map[string]any{"name": "quipux.example", "expect": []string{"10.0.0.6"}},
			"(además de lo esperado: 10.0.0.5)", ""},
		{"a missing address fails", map[string]any{"name": "quipux.example", "expect": []string{"10.0.0.7"}},
			"", "DNS quipux.example resuelve a 10.0.0.5, 10.0.0.6; faltan 10.0.0.7"},
		{"an unknown name fails", map[string]any{"name": "nada.example", "expect": []string{"10.0.0.5"}},
			"", "NXDOMAIN"},
		{"an invalid expected address is refused", map[string]any{"name": "quipux.example", "expect": []string{"diez"}},
			"", "no es una dirección IP"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tc.params["server"] = server
			res, err := run(t, New(Config{}), "check.dns", tc.params)
			expect(t, res, err, tc.wantMsg, tc.wantErr)
		})
	}
}

// smtpBackend accepts sessions and rejects every message: the check only
// greets.
type smtpBackend struct{}

func (smtpBackend) NewSession(*smtp.Conn) (smtp.Session, error) { return smtpSession{}, nil }

type smtpSession struct{}

func (smtpSession) Reset()                               {}
func (smtpSession) Logout() error                        { return nil }
func (smtpSession) Mail(string, *smtp.MailOptions) error { return smtp.ErrAuthRequired }
func (smtpSession) Rcpt(string, *smtp.RcptOptions) error { return smtp.ErrAuthRequired }
func (smtpSession) Data(io.Reader) error                 { return smtp.ErrAuthRequired }

func smtpServer(tb testing.TB) string {
	tb.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	s := smtp.NewServer(smtpBackend{})
	s.Domain = "correo.quipux.test"
	done := make(chan error, 1)
	go func() { done <- s.Serve(l) }()
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := s.Shutdown(ctx); err != nil {
			tb.Errorf("stopping the SMTP server: %v", err)
		}
		<-done
	})
	return l.Addr().String()
}

func TestSMTP(t *testing.T) {
	addr := smtpServer(t)
	silent, err := net.Listen("tcp", "127.0.0.1:0") // accepts, never greets
	if err != nil {
		t.Fatal(err)
	}
	defer silent.Close()
	cases := []struct {
		name    string
		params  map[string]any
		wantMsg string
		wantErr string
	}{
		{"banner and EHLO", map[string]any{"address": addr, "banner_contains": "correo.quipux.test", "ehlo": "bot.quipux.test"},
			"«correo.quipux.test ESMTP Service Ready»; EHLO aceptado", ""},
		{"an unexpected banner fails", map[string]any{"address": addr, "banner_contains": "otro.servidor"}, "", "no contiene \"otro.servidor\""},
		{"a server that never greets hits the timeout", map[string]any{"address": silent.Addr().String(), "timeout": "200ms"}, "", "sin respuesta en 200 ms"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res, err := run(t, New(Config{}), "check.smtp", tc.params)
			expect(t, res, err, tc.wantMsg, tc.wantErr)
		})
	}
}
