package actions

import "time"

// CopyStat describes a server's OVF/OVA copy (or backup file) found on
// storage: where, how big, when last written.
type CopyStat struct {
	Location string
	Size     int64
	Modified time.Time
}

// Age is how old the copy is at now: the data a restore from it loses.
func (s CopyStat) Age(now time.Time) time.Duration { return now.Sub(s.Modified) }
