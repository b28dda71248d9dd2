package demo

import (
	"context"
	"fmt"
	"net"
	"strings"
)

// Dialer reaches the simulated services: it maps every host:port the
// plan's checks name (host names and documentation addresses alike) to
// the loopback listener standing in for it, and refuses anything else, so
// that no check leaves the machine. It implements check.Dialer.
type Dialer struct {
	tcp map[string]string // "host:port" → loopback TCP address
	udp map[string]string // "host:port" → loopback UDP address
	net net.Dialer
}

// DialContext dials the simulated stand-in for addr.
func (d *Dialer) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	key := normAddr(addr, "")
	table, real := d.tcp, "tcp"
	if strings.HasPrefix(network, "udp") {
		table, real = d.udp, "udp"
	}
	to, ok := table[key]
	if !ok {
		return nil, fmt.Errorf("%s %s no existe en el mundo simulado de la demostración (no sale nada de esta máquina)", network, addr)
	}
	return d.net.DialContext(ctx, real, to)
}

// Targets lists the simulated addresses, "host:port" → loopback address.
func (d *Dialer) Targets() map[string]string {
	out := make(map[string]string, len(d.tcp)+len(d.udp))
	for k, v := range d.tcp {
		out[k] = v
	}
	for k, v := range d.udp {
		out[k+"/udp"] = v
	}
	return out
}
