package demo

import (
	"crypto/x509"
	"fmt"
	"log/slog"
	"net"
	"sync"
)

// services are the simulated stand-ins of the plan's checks, each on a
// loopback listener.
type services struct {
	dialer *Dialer
	roots  *x509.CertPool
	stops  []func()
	wg     sync.WaitGroup
}

// startServices starts one listener per protocol the routes need.
func startServices(rt *routes, log *slog.Logger) (_ *services, err error) {
	s := &services{dialer: &Dialer{tcp: map[string]string{}, udp: map[string]string{}}}
	defer func() {
		if err != nil {
			s.close()
		}
	}()
	need := map[protocol]bool{}
	for _, p := range rt.endpoints {
		need[p] = true
	}
	addrs := map[protocol]string{}
	if need[protoHTTPS] || need[protoHTTP] {
		ca, err := newAuthority(rt.hosts)
		if err != nil {
			return nil, err
		}
		s.roots = ca.pool
		h := &webServer{pages: rt.pages, log: log}
		if need[protoHTTPS] {
			if addrs[protoHTTPS], err = s.serveHTTP(h, ca); err != nil {
				return nil, err
			}
		}
		if need[protoHTTP] {
			if addrs[protoHTTP], err = s.serveHTTP(h, nil); err != nil {
				return nil, err
			}
		}
	}
	if need[protoDNS] {
		udp, err := s.serveDNS(rt.names)
		if err != nil {
			return nil, err
		}
		for a, p := range rt.endpoints {
			if p == protoDNS {
				s.dialer.udp[a] = udp
			}
		}
	}
	if need[protoSMTP] {
		if addrs[protoSMTP], err = s.serveSMTP(rt.banners, log); err != nil {
			return nil, err
		}
	}
	if need[protoPostgres] {
		if addrs[protoPostgres], err = s.servePostgres(rt.queries, log); err != nil {
			return nil, err
		}
	}
	if need[protoTCP] {
		if addrs[protoTCP], err = s.serveTCP(); err != nil {
			return nil, err
		}
	}
	for a, p := range rt.endpoints {
		if p != protoDNS {
			s.dialer.tcp[a] = addrs[p]
		}
	}
	return s, nil
}

// listen opens a loopback TCP listener.
func listen() (net.Listener, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("listening on loopback for a simulated service: %w", err)
	}
	return l, nil
}

// serveTCP accepts connections and closes them at once: a port that is
// open, for check.tcp.
func (s *services) serveTCP() (string, error) {
	l, err := listen()
	if err != nil {
		return "", err
	}
	s.wg.Go(func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			_ = c.Close()
		}
	})
	s.stops = append(s.stops, func() { _ = l.Close() })
	return l.Addr().String(), nil
}

func (s *services) close() {
	for i := len(s.stops) - 1; i >= 0; i-- {
		s.stops[i]()
	}
	s.wg.Wait()
}
