package vsphere

import (
	"context"
	"errors"
	"fmt"

	"github.com/vmware/govmomi/fault"
	"github.com/vmware/govmomi/find"
	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/vim25/types"

	"github.com/contingencia/contingencia/actions"
)

// permanentFaults are the vSphere faults a retry cannot fix: something is
// missing, misnamed, forbidden or too big for the target. Everything else
// (busy objects, system errors, lost connections) is transient; an
// expired session is logged in again first (withSession).
var permanentFaults = []types.BaseMethodFault{
	&types.NotFound{},
	&types.ManagedObjectNotFound{},
	&types.InvalidArgument{},
	&types.InvalidName{},
	&types.DuplicateName{},
	&types.AlreadyExists{},
	&types.NoPermission{}, // NotAuthenticated is another type: transient
	&types.InsufficientResourcesFault{},
	&types.NotEnoughLicenses{},
	&types.FileNotFound{},
	&types.InvalidDatastorePath{},
	&types.NotSupported{},
	&types.MethodNotFound{},
	&types.ToolsUnavailable{},
	&types.OvfImport{},
}

// classify marks err permanent when it is a permanent vSphere fault or an
// inventory path that does not exist. Context errors stay as they are.
func classify(err error) error {
	if err == nil || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	var nf *find.NotFoundError
	if errors.As(err, &nf) {
		return actions.Permanent(err)
	}
	var nsf object.DatastoreNoSuchFileError
	var nsd object.DatastoreNoSuchDirectoryError
	if errors.As(err, &nsf) || errors.As(err, &nsd) {
		return actions.Permanent(err)
	}
	for _, f := range permanentFaults {
		if fault.Is(err, f) {
			return actions.Permanent(err)
		}
	}
	return err
}

// isInvalidPowerState reports whether err says the VM already is in (or
// is not in) the requested power state: for power operations, done.
func isInvalidPowerState(err error) bool {
	return fault.Is(err, &types.InvalidPowerState{})
}

// isNotFound reports whether err says an inventory object does not exist.
func isNotFound(err error) bool {
	var nf *find.NotFoundError
	return errors.As(err, &nf) || fault.Is(err, &types.ManagedObjectNotFound{}) || fault.Is(err, &types.NotFound{})
}

// permanentf is a permanent error with a formatted (Spanish) reason.
func permanentf(format string, args ...any) error {
	return actions.Permanent(fmt.Errorf(format, args...))
}
