package mmtest

import (
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
)

// ErrAddressForbidden is what the server logs when an integration URL is
// internal and not allowed by AllowedUntrustedInternalConnections.
var ErrAddressForbidden = errors.New("address forbidden, you may need to set AllowedUntrustedInternalConnections to allow an integration access to your internal network")

// AllowUntrustedInternalConnections sets ServiceSettings.Allowed-
// UntrustedInternalConnections: a whitespace-separated list of hostnames
// and IP addresses (matched as written in the URL, before resolution) and
// CIDR ranges (matched against the resolved addresses). Until it is set,
// the fake, like the server, refuses every integration URL on a loopback,
// private or link-local address.
func (s *Server) AllowUntrustedInternalConnections(list string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.untrusted = list
}

// allowed applies the rules of the server's HTTP service to an
// integration URL.
func (s *Server) allowed(raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return err
	}
	s.mu.Lock()
	list := strings.Fields(s.untrusted)
	s.mu.Unlock()
	host := u.Hostname()
	for _, entry := range list {
		if strings.EqualFold(entry, host) {
			return nil
		}
	}
	ips, err := net.LookupIP(host)
	if err != nil {
		return err
	}
	for _, ip := range ips {
		if !reserved(ip) {
			continue
		}
		ok := false
		for _, entry := range list {
			if _, cidr, err := net.ParseCIDR(entry); err == nil && cidr.Contains(ip) {
				ok = true
			}
		}
		if !ok {
			return ErrAddressForbidden
		}
	}
	return nil
}

func reserved(ip net.IP) bool {
	return ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() || ip.IsUnspecified()
}

// deliver posts a request of the server to an integration.
func (s *Server) deliver(req *http.Request) (*http.Response, []byte, error) {
	if err := s.allowed(req.URL.String()); err != nil {
		return nil, nil, err
	}
	resp, err := s.http.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return resp, body, err
}
