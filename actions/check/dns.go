package check

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"slices"
	"strings"

	"github.com/miekg/dns"

	"github.com/contingencia/contingencia/actions"
)

// DNS runs check.dns: name resolves, at resolver server (host:port,
// default the system's first), to every address of expect. Extra
// addresses are reported, not failed (round-robin records).
func (c *Checks) DNS(ctx context.Context, req actions.Request) (actions.Result, error) {
	name := req.String("name", "")
	cctx, cancel, timeout := c.withTimeout(ctx, req)
	defer cancel()
	var want []netip.Addr
	for _, s := range req.Strings("expect") {
		a, err := netip.ParseAddr(strings.TrimSpace(s))
		if err != nil {
			return actions.Result{}, actions.Permanent(fmt.Errorf("check.dns: %q no es una dirección IP", s))
		}
		want = append(want, a.Unmap())
	}
	server := req.String("server", "")
	if server == "" {
		conf, err := dns.ClientConfigFromFile("/etc/resolv.conf")
		if err != nil || len(conf.Servers) == 0 {
			return actions.Result{}, actions.Permanent(fmt.Errorf("check.dns: sin parámetro server y sin resolver del sistema: %v", err))
		}
		server = net.JoinHostPort(conf.Servers[0], conf.Port)
	}
	types := []uint16{dns.TypeA}
	if slices.ContainsFunc(want, func(a netip.Addr) bool { return a.Is6() }) {
		types = append(types, dns.TypeAAAA)
	}
	client := &dns.Client{Timeout: timeout}
	var got []netip.Addr
	start := c.cfg.Now()
	for _, t := range types {
		m := new(dns.Msg)
		m.SetQuestion(dns.Fqdn(name), t)
		m.RecursionDesired = true
		r, err := c.exchange(cctx, client, m, server)
		if err != nil {
			return actions.Result{}, fail(ctx, timeout, err, "DNS %s en %s", name, server)
		}
		if r.Rcode != dns.RcodeSuccess {
			return actions.Result{}, fail(ctx, timeout, nil, "DNS %s en %s: %s", name, server, dns.RcodeToString[r.Rcode])
		}
		for _, rr := range r.Answer {
			switch v := rr.(type) {
			case *dns.A:
				if a, ok := netip.AddrFromSlice(v.A); ok {
					got = append(got, a.Unmap())
				}
			case *dns.AAAA:
				if a, ok := netip.AddrFromSlice(v.AAAA); ok {
					got = append(got, a)
				}
			}
		}
	}
	elapsed := c.cfg.Now().Sub(start)
	slices.SortFunc(got, func(a, b netip.Addr) int { return a.Compare(b) })
	got = slices.Compact(got)
	details := map[string]any{"name": name, "server": server, "addresses": addrStrings(got), "latency_ms": elapsed.Milliseconds()}
	var missing, extra []netip.Addr
	for _, a := range want {
		if !slices.Contains(got, a) {
			missing = append(missing, a)
		}
	}
	for _, a := range got {
		if !slices.Contains(want, a) {
			extra = append(extra, a)
		}
	}
	if len(missing) > 0 {
		return actions.Result{Details: details}, fail(ctx, timeout, nil, "DNS %s resuelve a %s; faltan %s",
			name, orNone(addrStrings(got)), strings.Join(addrStrings(missing), ", "))
	}
	msg := fmt.Sprintf("DNS %s → %s en %s", name, strings.Join(addrStrings(got), ", "), ms(elapsed))
	if len(extra) > 0 {
		msg += fmt.Sprintf(" (además de lo esperado: %s)", strings.Join(addrStrings(extra), ", "))
	}
	return actions.Result{Message: msg, Details: details}, nil
}

// exchange sends m to server over UDP on a connection of the configured
// dialer and reads the answer.
func (c *Checks) exchange(ctx context.Context, client *dns.Client, m *dns.Msg, server string) (*dns.Msg, error) {
	nc, err := c.cfg.Dialer.DialContext(ctx, "udp", server)
	if err != nil {
		return nil, err
	}
	defer nc.Close()
	r, _, err := client.ExchangeWithConnContext(ctx, m, &dns.Conn{Conn: nc})
	return r, err
}

func addrStrings(l []netip.Addr) []string {
	out := make([]string, len(l))
	for i, a := range l {
		out[i] = a.String()
	}
	return out
}

func orNone(l []string) string {
	if len(l) == 0 {
		return "ninguna dirección"
	}
	return strings.Join(l, ", ")
}
