package actions

import "errors"

// permanentError marks an error that a retry cannot fix.
type permanentError struct{ err error }

func (e *permanentError) Error() string { return e.err.Error() }
func (e *permanentError) Unwrap() error { return e.err }

// Permanent marks err as permanent: the job fails at once with this reason
// instead of being retried. It returns nil for nil, and err itself when it
// is already permanent. Wrapping the result with fmt.Errorf("…: %w") keeps
// the mark.
func Permanent(err error) error {
	if err == nil || IsPermanent(err) {
		return err
	}
	return &permanentError{err: err}
}

// IsPermanent reports whether err (or an error it wraps) was marked
// Permanent. Every other error is transient.
func IsPermanent(err error) bool {
	var p *permanentError
	return errors.As(err, &p)
}
