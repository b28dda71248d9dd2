package demo

import (
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/contingencia/contingencia/plan"
)

// simulatedDNS is the resolver a check.dns step gets in the world's plan
// when it names none (it would otherwise ask the system's resolver).
const simulatedDNS = "dns.simulado.invalid:53"

// protocol is what a simulated listener speaks.
type protocol string

const (
	protoHTTPS    protocol = "https"
	protoHTTP     protocol = "http"
	protoTCP      protocol = "tcp"
	protoDNS      protocol = "dns"
	protoSMTP     protocol = "smtp"
	protoPostgres protocol = "postgres"
)

// page is what the simulated web server answers at one URL.
type page struct {
	status   int
	contains string
	service  string // the service's name, for the page's title
}

// routes is what the plan's checks expect of the world.
type routes struct {
	// endpoints maps "host:port" (lower case) to the protocol the
	// checks speak there; a plain TCP check takes the protocol another
	// check gives the same address.
	endpoints map[string]protocol
	pages     map[string]page         // "host/path?query" → page
	names     map[string][]netip.Addr // FQDN → addresses
	queries   map[string]string       // normalised SQL → first column of the first row
	banners   []string                // what SMTP banners must contain
	hosts     []string                // HTTPS hosts (for certificates)
}

// collectRoutes reads every check of p (and the database checks of its
// backups) and binds p to the simulation: DSNs without TLS, a resolver
// for DNS checks that name none.
func collectRoutes(p *plan.Plan) *routes {
	rt := &routes{endpoints: map[string]protocol{}, pages: map[string]page{}, names: map[string][]netip.Addr{}, queries: map[string]string{}}
	tcp := map[string]bool{}
	for i := range p.Services {
		svc := &p.Services[i]
		for _, ch := range svc.Checks {
			str := func(k string) string {
				if v, ok := ch.Params[k]; ok && v != nil {
					return fmt.Sprint(v)
				}
				return ""
			}
			switch ch.Action {
			case "check.http":
				u, err := url.Parse(str("url"))
				if err != nil || u.Host == "" {
					continue
				}
				proto, port := protoHTTPS, "443"
				if strings.EqualFold(u.Scheme, "http") {
					proto, port = protoHTTP, "80"
				}
				host := strings.ToLower(u.Hostname())
				if u.Port() != "" {
					port = u.Port()
				}
				rt.endpoints[net.JoinHostPort(host, port)] = proto
				if proto == protoHTTPS && !contains(rt.hosts, host) {
					rt.hosts = append(rt.hosts, host)
				}
				status := 200
				if s := str("status"); s != "" {
					if n, err := strconv.Atoi(s); err == nil {
						status = n
					}
				}
				rt.pages[host+u.RequestURI()] = page{status: status, contains: str("contains"), service: svc.Name.In("es")}
			case "check.tcp":
				if a := normAddr(str("address"), ""); a != "" {
					tcp[a] = true
				}
			case "check.dns":
				server := str("server")
				if server == "" {
					server = simulatedDNS
					ch.Params["server"] = server
				}
				rt.endpoints[normAddr(server, "53")] = protoDNS
				name := strings.ToLower(strings.TrimSuffix(str("name"), ".")) + "."
				for _, e := range toStrings(ch.Params["expect"]) {
					if a, err := netip.ParseAddr(strings.TrimSpace(e)); err == nil && !containsAddr(rt.names[name], a.Unmap()) {
						rt.names[name] = append(rt.names[name], a.Unmap())
					}
				}
				if _, ok := rt.names[name]; !ok {
					rt.names[name] = nil
				}
			case "check.postgres":
				dsn, addr := insecureDSN(str("dsn"))
				if addr == "" {
					continue
				}
				ch.Params["dsn"] = dsn
				rt.endpoints[addr] = protoPostgres
				want := str("expect")
				if want == "" {
					want = "1"
				}
				rt.queries[normQuery(str("query"))] = want
			case "check.smtp":
				if a := normAddr(str("address"), "25"); a != "" {
					rt.endpoints[a] = protoSMTP
				}
				if b := str("banner_contains"); b != "" && !contains(rt.banners, b) {
					rt.banners = append(rt.banners, b)
				}
			}
		}
	}
	for i := range p.Servers {
		b := p.Servers[i].Backup
		if b == nil || b.Database == nil {
			continue
		}
		dsn, addr := insecureDSN(b.Database.DSN)
		if addr == "" {
			continue
		}
		b.Database.DSN = dsn
		rt.endpoints[addr] = protoPostgres
		want := b.Database.Expect
		if want == "" {
			want = "1"
		}
		rt.queries[normQuery(b.Database.Query)] = want
	}
	for a := range tcp {
		if _, ok := rt.endpoints[a]; !ok {
			rt.endpoints[a] = protoTCP
		}
	}
	sort.Strings(rt.hosts)
	return rt
}

// insecureDSN rewrites a PostgreSQL URL to sslmode=disable and returns it
// with its host:port.
func insecureDSN(dsn string) (string, string) {
	u, err := url.Parse(dsn)
	if err != nil || u.Host == "" {
		return dsn, ""
	}
	q := u.Query()
	q.Set("sslmode", "disable")
	u.RawQuery = q.Encode()
	return u.String(), normAddr(u.Host, "5432")
}

// normAddr is addr as "host:port" in lower case, with port def when it
// has none ("" when addr is empty or unusable).
func normAddr(addr, def string) string {
	addr = strings.TrimSpace(addr)
	if addr == "" {
		return ""
	}
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		if def == "" {
			return ""
		}
		host, port = strings.Trim(addr, "[]"), def
	}
	return net.JoinHostPort(strings.ToLower(host), port)
}

// normQuery is a query as the stand-in compares it.
func normQuery(q string) string {
	return strings.Join(strings.Fields(strings.TrimSuffix(strings.TrimSpace(q), ";")), " ")
}

func toStrings(v any) []string {
	switch v := v.(type) {
	case []string:
		return v
	case []any:
		out := make([]string, 0, len(v))
		for _, x := range v {
			out = append(out, fmt.Sprint(x))
		}
		return out
	case string:
		return strings.Split(v, ",")
	case nil:
		return nil
	}
	return []string{fmt.Sprint(v)}
}

func contains(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}

func containsAddr(l []netip.Addr, a netip.Addr) bool {
	for _, x := range l {
		if x == a {
			return true
		}
	}
	return false
}
