package vsphere

import (
	"archive/tar"
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
)

// TestTestdataOVA keeps testdata/ovf/contingencia-tiny.ova in step with the
// OVF and disk next to it: descriptor first, same bytes.
func TestTestdataOVA(t *testing.T) {
	dir := ovfDir(t)
	f, err := os.Open(filepath.Join(dir, "contingencia-tiny.ova"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	want := []string{"contingencia-tiny.ovf", "contingencia-tiny-disk1.vmdk"}
	r := tar.NewReader(f)
	for i := 0; ; i++ {
		h, err := r.Next()
		if errors.Is(err, io.EOF) {
			if i != len(want) {
				t.Fatalf("the OVA holds %d files, want %d", i, len(want))
			}
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		if i >= len(want) || h.Name != want[i] {
			t.Fatalf("entry %d of the OVA is %s, want %v in order", i, h.Name, want)
		}
		got, err := io.ReadAll(r)
		if err != nil {
			t.Fatal(err)
		}
		file, err := os.ReadFile(filepath.Join(dir, h.Name))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, file) {
			t.Errorf("%s in the OVA differs from testdata/ovf/%s; rebuild the OVA (see README.md)", h.Name, h.Name)
		}
	}
}
