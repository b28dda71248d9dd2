package bot

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/contingencia/contingencia/plan"
)

// Surface is where a platform shows runs: the adapter side of publishing.
// Methods are called after the request that caused them was acknowledged.
type Surface interface {
	// Platform names the platform: slack, mattermost, shell.
	Platform() string
	// CreateChannel creates the run's channel (or finds it when a previous
	// attempt created it) and invites the people; it returns its id.
	CreateChannel(ctx context.Context, spec ChannelSpec) (string, error)
	// Post posts a part and returns the platform's reference to it.
	Post(ctx context.Context, channel string, p Part, lang string) (ref string, err error)
	// Update replaces a posted part; ErrMessageGone when it was deleted.
	Update(ctx context.Context, channel, ref string, p Part, lang string) error
	// Pin pins a posted part to the channel.
	Pin(ctx context.Context, channel, ref string) error
}

// ChannelSpec describes a run's dedicated channel.
type ChannelSpec struct {
	RunID   string
	Name    string // e.g. cont-2026-0007
	Topic   string
	Members []plan.Person
	// Origin is the channel the run was declared from.
	Origin string
}

// ErrMessageGone means the message was deleted: post it again.
var ErrMessageGone = errors.New("message no longer exists")

// RateLimitError asks the publisher to wait before calling again.
type RateLimitError struct {
	RetryAfter time.Duration
}

func (e *RateLimitError) Error() string {
	return fmt.Sprintf("rate limited: retry after %s", e.RetryAfter)
}
