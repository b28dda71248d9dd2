package demo

import (
	"archive/tar"
	"bytes"
	"encoding/xml"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/contingencia/contingencia/plan"
)

// writeCopy writes a tiny copy of srv into dir, in the format its plan
// copy names (OVA when it names none), and returns the world's copy of
// it. The copy's virtual hardware is the server's spec: CPUs, memory, one
// disk per disks_gb entry (a few bytes each: the simulator accepts any
// upload) and one NIC per network.
func writeCopy(dir string, srv *plan.Server) (*plan.Copy, error) {
	cp := plan.Copy{Format: plan.FormatOVA}
	if srv.Copy != nil {
		cp = plan.Copy{Format: srv.Copy.Format, MaxAge: srv.Copy.MaxAge}
		if cp.Format == "" {
			cp.Format = plan.FormatOVA
		}
	}
	name := srv.ID
	files := []copyFile{{name: name + ".ovf", data: ovfDescriptor(srv)}}
	for i := range srv.Spec.DisksGB {
		files = append(files, copyFile{name: diskName(name, i),
			data: fmt.Appendf(nil, "disco %d de %s: copia simulada por contingencia demo\n", i+1, srv.ID)})
	}
	if cp.Format == plan.FormatOVF {
		sub := filepath.Join(dir, name)
		if err := os.MkdirAll(sub, 0o755); err != nil {
			return nil, fmt.Errorf("writing the OVF copy of %s: %w", srv.ID, err)
		}
		for _, f := range files {
			if err := os.WriteFile(filepath.Join(sub, f.name), f.data, 0o644); err != nil {
				return nil, fmt.Errorf("writing the OVF copy of %s: %w", srv.ID, err)
			}
		}
		cp.Path = filepath.Join(sub, files[0].name)
		return &cp, age(cp.Path)
	}
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	now := time.Now().Add(-copyAge)
	for _, f := range files { // the descriptor first, as OVA requires
		if err := tw.WriteHeader(&tar.Header{Name: f.name, Mode: 0o644, Size: int64(len(f.data)), ModTime: now, Format: tar.FormatUSTAR}); err != nil {
			return nil, fmt.Errorf("writing the OVA copy of %s: %w", srv.ID, err)
		}
		if _, err := tw.Write(f.data); err != nil {
			return nil, fmt.Errorf("writing the OVA copy of %s: %w", srv.ID, err)
		}
	}
	if err := tw.Close(); err != nil {
		return nil, fmt.Errorf("writing the OVA copy of %s: %w", srv.ID, err)
	}
	cp.Path = filepath.Join(dir, name+".ova")
	if err := os.WriteFile(cp.Path, buf.Bytes(), 0o644); err != nil {
		return nil, fmt.Errorf("writing the OVA copy of %s: %w", srv.ID, err)
	}
	return &cp, age(cp.Path)
}

// copyAge is how old the demo's copies are: last night's backup, so that
// the readiness checks, the preflights and the report's RPO show a
// realistic data loss.
const copyAge = 6 * time.Hour

func age(path string) error {
	at := time.Now().Add(-copyAge)
	if err := os.Chtimes(path, at, at); err != nil {
		return fmt.Errorf("dating the copy %s: %w", path, err)
	}
	return nil
}

type copyFile struct {
	name string
	data []byte
}

func diskName(server string, i int) string { return fmt.Sprintf("%s-disk%d.vmdk", server, i+1) }

// ovfDescriptor is the OVF envelope of srv's spec.
func ovfDescriptor(srv *plan.Server) []byte {
	esc := func(s string) string {
		var b strings.Builder
		_ = xml.EscapeText(&b, []byte(s))
		return b.String()
	}
	name := esc(srv.ID)
	var refs, disks, nets, items strings.Builder
	id := 1
	item := func(body string) {
		fmt.Fprintf(&items, "      <Item>\n        <rasd:InstanceID>%d</rasd:InstanceID>\n%s      </Item>\n", id, body)
		id++
	}
	cpus := max(srv.Spec.CPUs, 1)
	mem := max(srv.Spec.MemoryMB, 128)
	item(fmt.Sprintf("        <rasd:AllocationUnits>hertz * 10^6</rasd:AllocationUnits>\n        <rasd:ElementName>%d virtual CPU</rasd:ElementName>\n        <rasd:ResourceType>3</rasd:ResourceType>\n        <rasd:VirtualQuantity>%d</rasd:VirtualQuantity>\n", cpus, cpus))
	item(fmt.Sprintf("        <rasd:AllocationUnits>byte * 2^20</rasd:AllocationUnits>\n        <rasd:ElementName>%d MB of memory</rasd:ElementName>\n        <rasd:ResourceType>4</rasd:ResourceType>\n        <rasd:VirtualQuantity>%d</rasd:VirtualQuantity>\n", mem, mem))
	scsi := id
	item("        <rasd:Address>0</rasd:Address>\n        <rasd:ElementName>SCSI controller 0</rasd:ElementName>\n        <rasd:ResourceSubType>VirtualSCSI</rasd:ResourceSubType>\n        <rasd:ResourceType>6</rasd:ResourceType>\n")
	for i, gb := range srv.Spec.DisksGB {
		size := len(fmt.Sprintf("disco %d de %s: copia simulada por contingencia demo\n", i+1, srv.ID))
		fmt.Fprintf(&refs, "    <File ovf:href=\"%s\" ovf:id=\"file%d\" ovf:size=\"%d\"/>\n", esc(diskName(srv.ID, i)), i+1, size)
		fmt.Fprintf(&disks, "    <Disk ovf:capacity=\"%d\" ovf:capacityAllocationUnits=\"byte * 2^30\" ovf:diskId=\"vmdisk%d\" ovf:fileRef=\"file%d\" ovf:format=\"http://www.vmware.com/interfaces/specifications/vmdk.html#streamOptimized\"/>\n", gb, i+1, i+1)
		item(fmt.Sprintf("        <rasd:AddressOnParent>%d</rasd:AddressOnParent>\n        <rasd:ElementName>Hard disk %d</rasd:ElementName>\n        <rasd:HostResource>ovf:/disk/vmdisk%d</rasd:HostResource>\n        <rasd:Parent>%d</rasd:Parent>\n        <rasd:ResourceType>17</rasd:ResourceType>\n", i, i+1, i+1, scsi))
	}
	networks := srv.Spec.Networks
	if len(networks) == 0 && srv.VSphere.Network != "" {
		networks = []string{srv.VSphere.Network}
	}
	for i := range networks {
		fmt.Fprintf(&nets, "    <Network ovf:name=\"red-%d\">\n      <Description>NIC %d</Description>\n    </Network>\n", i+1, i+1)
		item(fmt.Sprintf("        <rasd:AddressOnParent>%d</rasd:AddressOnParent>\n        <rasd:AutomaticAllocation>true</rasd:AutomaticAllocation>\n        <rasd:Connection>red-%d</rasd:Connection>\n        <rasd:ElementName>Network adapter %d</rasd:ElementName>\n        <rasd:ResourceSubType>VmxNet3</rasd:ResourceSubType>\n        <rasd:ResourceType>10</rasd:ResourceType>\n", 7+i, i+1, i+1))
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<?xml version="1.0" encoding="UTF-8"?>
<!-- Simulated copy of %s, generated by contingencia demo: its virtual
     hardware is the plan's spec; its disks are a few bytes. -->
<Envelope xmlns="http://schemas.dmtf.org/ovf/envelope/1"
          xmlns:ovf="http://schemas.dmtf.org/ovf/envelope/1"
          xmlns:rasd="http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_ResourceAllocationSettingData"
          xmlns:vssd="http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_VirtualSystemSettingData">
  <References>
%s  </References>
  <DiskSection>
    <Info>Virtual disks</Info>
%s  </DiskSection>
  <NetworkSection>
    <Info>Logical networks</Info>
%s  </NetworkSection>
  <VirtualSystem ovf:id="%s">
    <Info>A simulated server</Info>
    <Name>%s</Name>
    <OperatingSystemSection ovf:id="101">
      <Info>Guest operating system</Info>
    </OperatingSystemSection>
    <VirtualHardwareSection>
      <Info>Virtual hardware</Info>
      <System>
        <vssd:ElementName>Virtual Hardware Family</vssd:ElementName>
        <vssd:InstanceID>0</vssd:InstanceID>
        <vssd:VirtualSystemIdentifier>%s</vssd:VirtualSystemIdentifier>
        <vssd:VirtualSystemType>vmx-13</vssd:VirtualSystemType>
      </System>
%s    </VirtualHardwareSection>
  </VirtualSystem>
</Envelope>
`, name, refs.String(), disks.String(), nets.String(), name, name, name, items.String())
	return []byte(b.String())
}
