package bench

import (
	"os"
	"testing"
	"time"
)

func TestParseProc(t *testing.T) {
	status := []byte("Name:\tlively\nVmPeak:\t  9999 kB\nVmRSS:\t   12345 kB\nThreads:\t3\n")
	if kb, err := parseVmRSS(status); err != nil || kb != 12345 {
		t.Errorf("VmRSS = %d, %v", kb, err)
	}
	if _, err := parseVmRSS([]byte("Name:\tx\n")); err == nil {
		t.Error("missing VmRSS accepted")
	}
	stat := []byte("4242 (my (odd) prog) S 1 2 3 4 5 6 7 8 9 10 250 150 0 0 20 0 3 0 100")
	if cpu, err := parseStatCPU(stat); err != nil || cpu != 4*time.Second {
		t.Errorf("cpu = %v, %v; want 4s", cpu, err)
	}
	if _, err := parseStatCPU([]byte("1 (x) S 1")); err == nil {
		t.Error("short stat accepted")
	}
}

func TestReadProc_Self(t *testing.T) {
	if _, err := os.Stat("/proc/self/status"); err != nil {
		t.Skip("no /proc")
	}
	s, err := readProc(os.Getpid())
	if err != nil || s.rssKB <= 0 {
		t.Fatalf("readProc = %+v, %v", s, err)
	}
}

func TestParseCPUPressure(t *testing.T) {
	in := []byte("some avg10=80.09 avg60=66.26 avg300=73.73 total=1350067192\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=0\n")
	if d, err := parseCPUPressure(in); err != nil || d != 1350067192*time.Microsecond {
		t.Errorf("pressure %v, %v", d, err)
	}
	if _, err := parseCPUPressure([]byte("full total=3\n")); err == nil {
		t.Error("missing some line accepted")
	}
}
