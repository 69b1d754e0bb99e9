package worker

import (
	"os"
	"runtime"
	"strconv"
	"strings"
)

// cpuCapacity is how many cores' worth of CPU this process may use: the
// number of CPUs, or less when a cgroup CPU quota limits it (a container
// started with --cpus 0.5 has 0.5). CPU % is reported against it, so a
// worker using all of its quota reports 100 % whatever the host's size.
func cpuCapacity() float64 {
	n := float64(runtime.NumCPU())
	if b, err := os.ReadFile("/sys/fs/cgroup/cpu.max"); err == nil { // cgroup v2
		if q, ok := parseCPUMax(string(b)); ok && q < n {
			return q
		}
		return n
	}
	for _, dir := range []string{"/sys/fs/cgroup/cpu", "/sys/fs/cgroup/cpu,cpuacct"} { // cgroup v1
		quota, err1 := os.ReadFile(dir + "/cpu.cfs_quota_us")
		period, err2 := os.ReadFile(dir + "/cpu.cfs_period_us")
		if err1 != nil || err2 != nil {
			continue
		}
		if q, ok := parseCFSQuota(string(quota), string(period)); ok && q < n {
			return q
		}
		break
	}
	return n
}

// parseCPUMax reads cgroup v2's cpu.max ("max 100000" or "50000 100000")
// as a number of cores; ok is false when there is no quota.
func parseCPUMax(s string) (cores float64, ok bool) {
	f := strings.Fields(s)
	if len(f) != 2 || f[0] == "max" {
		return 0, false
	}
	return ratio(f[0], f[1])
}

// parseCFSQuota reads cgroup v1's cfs_quota_us and cfs_period_us ("-1"
// means no quota) as a number of cores.
func parseCFSQuota(quota, period string) (cores float64, ok bool) {
	return ratio(strings.TrimSpace(quota), strings.TrimSpace(period))
}

func ratio(quota, period string) (float64, bool) {
	q, err1 := strconv.ParseInt(quota, 10, 64)
	p, err2 := strconv.ParseInt(period, 10, 64)
	if err1 != nil || err2 != nil || q <= 0 || p <= 0 {
		return 0, false
	}
	return float64(q) / float64(p), true
}
