package bench

import (
	"bytes"
	"fmt"
	"os"
	"strconv"
	"time"
)

// userHZ is the unit of utime/stime in /proc/PID/stat (USER_HZ, 100 on Linux).
const userHZ = 100

// procSample is one reading of a process's resident memory and CPU time.
type procSample struct {
	rssKB int64
	cpu   time.Duration
}

// readProc reads /proc/PID/status (VmRSS) and /proc/PID/stat (utime+stime).
func readProc(pid int) (procSample, error) {
	var s procSample
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return s, err
	}
	if s.rssKB, err = parseVmRSS(status); err != nil {
		return s, err
	}
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return s, err
	}
	s.cpu, err = parseStatCPU(stat)
	return s, err
}

// parseVmRSS returns the VmRSS line of /proc/PID/status in KiB.
func parseVmRSS(status []byte) (int64, error) {
	for line := range bytes.Lines(status) {
		rest, ok := bytes.CutPrefix(line, []byte("VmRSS:"))
		if !ok {
			continue
		}
		f := bytes.Fields(rest)
		if len(f) < 1 {
			break
		}
		return strconv.ParseInt(string(f[0]), 10, 64)
	}
	return 0, fmt.Errorf("bench: no VmRSS in /proc status")
}

// parseStatCPU returns utime+stime from /proc/PID/stat. The command name (in
// parentheses) may contain spaces, so fields are counted after the last ')'.
func parseStatCPU(stat []byte) (time.Duration, error) {
	i := bytes.LastIndexByte(stat, ')')
	if i < 0 {
		return 0, fmt.Errorf("bench: malformed /proc stat")
	}
	f := bytes.Fields(stat[i+1:])
	// f[0] is field 3 (state); utime and stime are fields 14 and 15.
	if len(f) < 13 {
		return 0, fmt.Errorf("bench: short /proc stat")
	}
	ut, err1 := strconv.ParseInt(string(f[11]), 10, 64)
	st, err2 := strconv.ParseInt(string(f[12]), 10, 64)
	if err1 != nil || err2 != nil {
		return 0, fmt.Errorf("bench: bad cpu times in /proc stat")
	}
	return time.Duration(ut+st) * time.Second / userHZ, nil
}

// readCPUPressure returns the "some" total of /proc/pressure/cpu: the µs
// during which at least one runnable task on the host waited for a CPU.
func readCPUPressure() (time.Duration, error) {
	b, err := os.ReadFile("/proc/pressure/cpu")
	if err != nil {
		return 0, err
	}
	return parseCPUPressure(b)
}

func parseCPUPressure(b []byte) (time.Duration, error) {
	for line := range bytes.Lines(b) {
		rest, ok := bytes.CutPrefix(line, []byte("some "))
		if !ok {
			continue
		}
		for _, f := range bytes.Fields(rest) {
			if v, ok := bytes.CutPrefix(f, []byte("total=")); ok {
				us, err := strconv.ParseInt(string(v), 10, 64)
				return time.Duration(us) * time.Microsecond, err
			}
		}
	}
	return 0, fmt.Errorf("bench: no cpu pressure total")
}
