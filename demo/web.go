package demo

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"html"
	"log/slog"
	"math/big"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"time"
)

// authority is the demo's certificate authority, with a certificate for
// every HTTPS host the checks name.
type authority struct {
	pool  *x509.CertPool
	certs map[string]*tls.Certificate // by host name or address
	any   *tls.Certificate            // for clients that send no name (IP hosts)
}

func newAuthority(hosts []string) (*authority, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("creating the demo CA key: %w", err)
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "Autoridad de certificación de la demostración (simulada)", Organization: []string{"contingencia demo"}},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.AddDate(1, 0, 0),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, fmt.Errorf("creating the demo CA: %w", err)
	}
	caCert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("reading the demo CA: %w", err)
	}
	a := &authority{pool: x509.NewCertPool(), certs: map[string]*tls.Certificate{}}
	a.pool.AddCert(caCert)
	issue := func(serial int64, names []string) (*tls.Certificate, error) {
		leafKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			return nil, err
		}
		t := &x509.Certificate{
			SerialNumber: big.NewInt(serial),
			Subject:      pkix.Name{CommonName: names[0], Organization: []string{"contingencia demo (simulado)"}},
			NotBefore:    now.Add(-time.Hour),
			NotAfter:     now.AddDate(0, 0, 90),
			KeyUsage:     x509.KeyUsageDigitalSignature,
			ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		}
		for _, n := range names {
			if ip, err := netip.ParseAddr(n); err == nil {
				t.IPAddresses = append(t.IPAddresses, net.IP(ip.AsSlice()))
			} else {
				t.DNSNames = append(t.DNSNames, n)
			}
		}
		der, err := x509.CreateCertificate(rand.Reader, t, caCert, &leafKey.PublicKey, key)
		if err != nil {
			return nil, err
		}
		return &tls.Certificate{Certificate: [][]byte{der, caCert.Raw}, PrivateKey: leafKey}, nil
	}
	for i, h := range hosts {
		c, err := issue(int64(i+2), []string{h})
		if err != nil {
			return nil, fmt.Errorf("issuing the demo certificate of %s: %w", h, err)
		}
		a.certs[h] = c
	}
	all := append([]string{"localhost"}, hosts...)
	if a.any, err = issue(int64(len(hosts)+2), all); err != nil {
		return nil, fmt.Errorf("issuing the demo certificate: %w", err)
	}
	return a, nil
}

func (a *authority) certificate(hello *tls.ClientHelloInfo) (*tls.Certificate, error) {
	if c, ok := a.certs[strings.ToLower(hello.ServerName)]; ok {
		return c, nil
	}
	return a.any, nil
}

// webServer answers every URL the checks name with the status and text
// they expect.
type webServer struct {
	pages map[string]page
	log   *slog.Logger
}

func (h *webServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	host := strings.ToLower(r.Host)
	if hh, _, err := net.SplitHostPort(host); err == nil {
		host = hh
	}
	p, ok := h.pages[host+r.URL.RequestURI()]
	if !ok {
		http.Error(w, "404: esta dirección no existe en el mundo simulado de la demostración", http.StatusNotFound)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Server", "contingencia-demo (simulado)")
	w.WriteHeader(p.status)
	fmt.Fprintf(w, "<!doctype html>\n<html><head><title>%s (simulado)</title></head><body>\n<h1>%s</h1>\n<p>%s</p>\n<p>Servicio simulado por contingencia demo.</p>\n</body></html>\n",
		html.EscapeString(p.service), html.EscapeString(p.service), p.contains) // as the check expects it, unescaped
}

// serveHTTP serves h on a loopback listener, over TLS with the demo
// certificates when ca is set.
func (s *services) serveHTTP(h http.Handler, ca *authority) (string, error) {
	l, err := listen()
	if err != nil {
		return "", err
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second,
		ErrorLog: nil}
	if ca != nil {
		srv.TLSConfig = &tls.Config{GetCertificate: ca.certificate, MinVersion: tls.VersionTLS12}
		l = tls.NewListener(l, srv.TLSConfig)
	}
	s.wg.Go(func() { _ = srv.Serve(l) })
	s.stops = append(s.stops, func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
	})
	return l.Addr().String(), nil
}
