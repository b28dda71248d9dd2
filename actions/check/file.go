package check

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/dustin/go-humanize"

	"github.com/contingencia/contingencia/actions"
)

// File runs check.file: a file on a mounted path exists, has at least
// min_size bytes and was modified no longer ago than max_age.
func (c *Checks) File(ctx context.Context, req actions.Request) (actions.Result, error) {
	path := req.String("path", "")
	st, err := statPath(path)
	if err != nil {
		return actions.Result{}, actions.Permanent(err)
	}
	return c.judge(req, st, "Archivo", req.Int("min_size", 0), req.Duration("max_age", 0))
}

// statPath describes path; a directory stands for its newest regular file
// (a backup folder where each run writes a new file).
func statPath(path string) (actions.CopyStat, error) {
	fi, err := os.Stat(path)
	if err != nil {
		if os.IsNotExist(err) {
			return actions.CopyStat{}, fmt.Errorf("%s no existe", path)
		}
		return actions.CopyStat{}, fmt.Errorf("no se puede consultar %s: %w", path, err)
	}
	if !fi.IsDir() {
		return actions.CopyStat{Location: path, Size: fi.Size(), Modified: fi.ModTime()}, nil
	}
	entries, err := os.ReadDir(path)
	if err != nil {
		return actions.CopyStat{}, fmt.Errorf("no se puede leer la carpeta %s: %w", path, err)
	}
	var newest actions.CopyStat
	for _, e := range entries {
		if !e.Type().IsRegular() {
			continue
		}
		info, err := e.Info()
		if err != nil {
			continue
		}
		if info.ModTime().After(newest.Modified) {
			newest = actions.CopyStat{Location: filepath.Join(path, e.Name()), Size: info.Size(), Modified: info.ModTime()}
		}
	}
	if newest.Location == "" {
		return actions.CopyStat{}, fmt.Errorf("la carpeta %s está vacía", path)
	}
	return newest, nil
}

// judge checks size and age of st and words the result: what (e.g.
// "Copia OVA") names the thing checked.
func (c *Checks) judge(req actions.Request, st actions.CopyStat, what string, minSize int64, maxAge time.Duration) (actions.Result, error) {
	age := st.Age(c.cfg.Now())
	details := map[string]any{"location": st.Location, "size": st.Size, "modified": actions.FormatTime(st.Modified)}
	desc := fmt.Sprintf("%s %s: %s, de hace %s", what, st.Location, humanize.IBytes(uint64(max(st.Size, 0))), actions.FormatAge(age))
	if minSize > 0 && st.Size < minSize {
		return actions.Result{Details: details}, actions.Permanent(fmt.Errorf("%s; menor que el mínimo de %s", desc, humanize.IBytes(uint64(minSize))))
	}
	if maxAge > 0 {
		if age > maxAge {
			return actions.Result{Details: details}, actions.Permanent(fmt.Errorf("%s; más antigua que el máximo de %s", desc, actions.FormatAge(maxAge)))
		}
		desc += fmt.Sprintf(" (máximo %s)", actions.FormatAge(maxAge))
	}
	return actions.Result{Message: desc, Details: details}, nil
}
