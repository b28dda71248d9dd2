package plan

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// ParseDuration parses a plan duration: Go's syntax ("90m", "4h30m") plus
// whole days ("2d") and weeks ("1w"), which plans use for RPOs.
func ParseDuration(s string) (Duration, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, fmt.Errorf("empty duration")
	}
	for suffix, unit := range map[string]time.Duration{"d": 24 * time.Hour, "w": 7 * 24 * time.Hour} {
		if n, ok := strings.CutSuffix(s, suffix); ok {
			v, err := strconv.Atoi(n)
			if err != nil || v < 0 {
				return 0, fmt.Errorf("%q is not a duration (use 30m, 4h, 2d, 1w)", s)
			}
			return Duration(time.Duration(v) * unit), nil
		}
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		return 0, fmt.Errorf("%q is not a duration (use 30m, 4h, 2d, 1w)", s)
	}
	return Duration(d), nil
}

// String renders d the way plans write it.
func (d Duration) String() string {
	td := time.Duration(d)
	if td != 0 && td%(24*time.Hour) == 0 {
		return strconv.Itoa(int(td/(24*time.Hour))) + "d"
	}
	// time.Duration writes 30m as "30m0s" and 4h as "4h0m0s": drop the
	// zero tails only, never the zero of "10s" or "30m".
	s := td.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

// UnmarshalText lets YAML and JSON decoders read durations.
func (d *Duration) UnmarshalText(b []byte) error {
	v, err := ParseDuration(string(b))
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// MarshalText writes durations as text.
func (d Duration) MarshalText() ([]byte, error) { return []byte(d.String()), nil }
