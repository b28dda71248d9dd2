// Package stores opens the timeline store a database URL names
// (DESIGN §5): postgres:// or postgresql:// for PostgreSQL, sqlite:PATH
// for the embedded store, nothing for sqlite:contingencia.db.
package stores
