// Package check runs the functional checks of a contingency plan (seed §9
// "verificar", §10 pruebas) and the readiness checks of §8.1.
//
// Functional checks talk to the restored services: check.http (status,
// body, certificate validity window), check.tcp, check.dns (against a
// chosen resolver, comparing addresses), check.postgres (the plan's query
// and its expected value), check.smtp (banner and EHLO) and check.file (a
// file on a mounted path: exists, size, age). Readiness checks look at what
// a restore would need before any disaster: check.copy (the server's
// OVF/OVA copy exists and is younger than its maximum age or the RPO of the
// services using it), check.backup (the latest backup is recent) and
// check.config_doc (the configuration document exists).
//
// Each call has its own timeout (param timeout, default 10s) and returns a
// readable, Spanish result such as "HTTP 200 en 12 ms; certificado válido
// 89 días". A check that ran and found the service wrong (or unreachable)
// fails with a permanent error naming what it saw: retrying a job does
// not make a service healthy, a person re-runs the check.
package check
