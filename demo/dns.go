package demo

import (
	"fmt"
	"net"
	"net/netip"
	"strings"

	"github.com/miekg/dns"
)

// serveDNS answers A and AAAA questions for the names the checks ask
// about with the addresses they expect, over UDP on loopback.
func (s *services) serveDNS(names map[string][]netip.Addr) (string, error) {
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("listening on loopback for the simulated DNS server: %w", err)
	}
	started := make(chan struct{})
	srv := &dns.Server{PacketConn: pc, NotifyStartedFunc: func() { close(started) },
		Handler: dns.HandlerFunc(func(w dns.ResponseWriter, req *dns.Msg) {
			m := new(dns.Msg)
			m.SetReply(req)
			m.Authoritative = true
			for _, q := range req.Question {
				addrs, ok := names[strings.ToLower(q.Name)]
				if !ok {
					m.Rcode = dns.RcodeNameError
					continue
				}
				for _, a := range addrs {
					hdr := dns.RR_Header{Name: q.Name, Class: dns.ClassINET, Ttl: 300}
					switch {
					case q.Qtype == dns.TypeA && a.Is4():
						hdr.Rrtype = dns.TypeA
						m.Answer = append(m.Answer, &dns.A{Hdr: hdr, A: net.IP(a.AsSlice())})
					case q.Qtype == dns.TypeAAAA && a.Is6():
						hdr.Rrtype = dns.TypeAAAA
						m.Answer = append(m.Answer, &dns.AAAA{Hdr: hdr, AAAA: net.IP(a.AsSlice())})
					}
				}
			}
			_ = w.WriteMsg(m)
		})}
	errc := make(chan error, 1)
	s.wg.Go(func() { errc <- srv.ActivateAndServe() })
	select {
	case <-started:
	case err := <-errc:
		return "", fmt.Errorf("starting the simulated DNS server: %w", err)
	}
	s.stops = append(s.stops, func() { _ = srv.Shutdown() })
	return pc.LocalAddr().String(), nil
}
