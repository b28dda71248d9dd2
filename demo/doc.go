// Package demo is the simulated world `contingencia demo` recovers: a
// zero-configuration stand-in for a data centre, so that the whole plan can
// run on a laptop with no network.
//
// Start builds it from a plan, on loopback only:
//
//   - a vCenter (govmomi's in-process simulator, VPX model) whose inventory
//     has the folders, drill folder and networks the plan names;
//   - for every server, a tiny OVA (or OVF and disk files) whose virtual
//     hardware matches the server's spec, so that vsphere.verify_config
//     passes after vsphere.deploy_ovf; simulated guests "boot" (VMware
//     Tools running) once powered on;
//   - simulated services for the plan's functional checks: one HTTPS server
//     with a demo certificate authority and a certificate for every host the
//     checks name, TCP listeners, a DNS server, an SMTP server and a
//     PostgreSQL stand-in answering each check's query with its expected
//     value. A Dialer maps every host:port the plan names to its loopback
//     listener; anything else is refused, so nothing leaves the machine.
//
// World.Plan is a copy of the plan bound to this world (copy paths, DSNs
// without TLS, a DNS server for checks that name none). Its plan text, and
// so its Hash, is the original's: runs recorded in the demo are bound to
// the same plan version as production runs.
package demo
