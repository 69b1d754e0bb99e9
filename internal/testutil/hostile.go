package testutil

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"
)

// TexmapScene is a ray-tracer scene whose one sphere wears the request's
// texture.
const TexmapScene = `0 0 0
0 0 -1
0 1 0
30
2
0 0 0  .2 .2 .2  1 0 0
10 10 10  1 1 1  1 0 0
1
texmap t.png 1 0 0 0 0 1 0 0
1
.4 .6 0 1 0 0 0
1
0 0 sphere 0 0 -10 2
`

// TexmapQuery renders an 8×6 window: a texture request's cost is its
// texture.
const TexmapQuery = "/raytracer?scols=8&srows=6&wcols=8&wrows=6&coff=0&roff=0"

// HostileLoad is an attack on a server's memory, as a hostile or careless
// client makes it: all at once, ray traces whose texture is a texture bomb
// (TexmapBomb 4096×4096: 100 KB declaring 16.7 million 16-bit pixels) and
// large bodies, a third each of a blur whose image is too large, a ray
// trace with a large real texture, and bytes that are no request; normal
// requests are sent one after the other meanwhile.
type HostileLoad struct {
	Base     string // the server: http://127.0.0.1:PORT
	Bombs    int
	Bodies   int
	BodySize int
	// NormalPath and NormalBody make the normal request (a small ray
	// trace).
	NormalPath string
	NormalBody []byte
	// RaytraceBody builds a ray trace's JSON body (wire.RaytraceBody).
	RaytraceBody func(scene, texmap []byte) []byte
}

// HostileResult is what the attack got: the statuses of each kind of
// request (0: no answer, the connection failed) and of the normal
// requests, in order.
type HostileResult struct {
	Attacks map[string]map[int]int
	Normal  []int
	Wall    time.Duration
}

// String summarises the statuses: "bomb: 200×3 503×13; ...".
func (r HostileResult) String() string {
	var b strings.Builder
	for _, k := range []string{"bomb", "blur", "texture", "garbage"} {
		codes, ok := r.Attacks[k]
		if !ok {
			continue
		}
		fmt.Fprintf(&b, "%s:", k)
		for _, c := range []int{0, 200, 400, 408, 413, 415, 500, 502, 503, 504} {
			if codes[c] > 0 {
				fmt.Fprintf(&b, " %d×%d", c, codes[c])
			}
		}
		b.WriteString("; ")
	}
	ok := 0
	for _, c := range r.Normal {
		if c == http.StatusOK {
			ok++
		}
	}
	fmt.Fprintf(&b, "normal: %d of %d served", ok, len(r.Normal))
	return b.String()
}

// Hostile runs the attack until every request of it is answered or ctx
// ends. Normal requests keep being sent until then, at least five.
func (h HostileLoad) Hostile(ctx context.Context) HostileResult {
	type attack struct {
		kind, path string
		body       []byte
	}
	var attacks []attack
	bomb := h.RaytraceBody([]byte(TexmapScene), TexmapBomb(4096, 4096))
	for range h.Bombs {
		attacks = append(attacks, attack{"bomb", TexmapQuery, bomb})
	}
	bodies := [3]attack{
		{"blur", "/blurimage", largeImageBody(h.BodySize)},
		{"texture", TexmapQuery, h.RaytraceBody([]byte(TexmapScene), largeTexture(h.BodySize))},
		{"garbage", "/enhanceimage", bytes.Repeat([]byte{'x'}, h.BodySize)},
	}
	for i := range h.Bodies {
		attacks = append(attacks, bodies[i%3])
	}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	defer client.CloseIdleConnections()
	post := func(path string, body []byte) int {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, h.Base+path, bytes.NewReader(body))
		if err != nil {
			return 0
		}
		resp, err := client.Do(req)
		if err != nil {
			return 0
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode
	}

	start := time.Now()
	res := HostileResult{Attacks: map[string]map[int]int{}}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for _, a := range attacks {
		wg.Go(func() {
			code := post(a.path, a.body)
			mu.Lock()
			defer mu.Unlock()
			if res.Attacks[a.kind] == nil {
				res.Attacks[a.kind] = map[int]int{}
			}
			res.Attacks[a.kind][code]++
		})
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	for n := 0; ; n++ {
		select {
		case <-done:
			if n >= 5 {
				res.Wall = time.Since(start)
				return res
			}
		default:
		}
		if ctx.Err() != nil {
			<-done
			res.Wall = time.Since(start)
			return res
		}
		res.Normal = append(res.Normal, post(h.NormalPath, h.NormalBody))
	}
}

// largeImageBody is a blur request of size bytes: a PNG that declares
// 4000×4000 pixels followed by zeros, too many bytes for an image (the
// default limit is 32 MiB), as a data URL.
func largeImageBody(size int) []byte {
	prefix := "data:image/png;base64,"
	head := BombPNG(4000, 4000)
	head = append(head, make([]byte, 3-len(head)%3)...) // a whole number of base64 quanta
	b := make([]byte, 0, size)
	b = append(b, prefix...)
	b = append(b, base64.StdEncoding.EncodeToString(head)...)
	return append(b, bytes.Repeat([]byte{'A'}, (size-len(b))/4*4)...)
}

// largeTexture is a real 32-bit BMP, black, that makes a ray trace's JSON
// body of about size bytes: its byte values are written "0,".
func largeTexture(size int) []byte {
	side := 1
	for 54+4*(side+1)*(side+1) <= (size-1024)/2 {
		side++
	}
	return blackBMP(side, side)
}

// blackBMP is a w×h 32-bit BMP, every pixel black.
func blackBMP(w, h int) []byte {
	b := make([]byte, 54+4*w*h)
	copy(b, "BM")
	binary.LittleEndian.PutUint32(b[2:], uint32(len(b)))
	binary.LittleEndian.PutUint32(b[10:], 54)
	binary.LittleEndian.PutUint32(b[14:], 40)
	binary.LittleEndian.PutUint32(b[18:], uint32(w))
	binary.LittleEndian.PutUint32(b[22:], uint32(h))
	binary.LittleEndian.PutUint16(b[26:], 1)
	binary.LittleEndian.PutUint16(b[28:], 32)
	return b
}

// ProcessPeak is a process's peak resident memory (VmHWM of
// /proc/PID/status) in bytes, and the CPU time it has used (user and
// system, /proc/PID/stat).
func ProcessPeak(pid int) (peakRSS int64, cpu time.Duration, err error) {
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, 0, err
	}
	for _, line := range strings.Split(string(status), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			f := strings.Fields(rest)
			if len(f) == 2 && f[1] == "kB" {
				kb, err := strconv.ParseInt(f[0], 10, 64)
				if err != nil {
					return 0, 0, fmt.Errorf("VmHWM of %d: %w", pid, err)
				}
				peakRSS = kb << 10
			}
		}
	}
	if peakRSS == 0 {
		return 0, 0, fmt.Errorf("no VmHWM in /proc/%d/status", pid)
	}
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, 0, err
	}
	// The fields after the command name, which ends with the last ')':
	// state is field 3, utime and stime are fields 14 and 15.
	s := string(stat)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(f) < 13 {
		return 0, 0, fmt.Errorf("short /proc/%d/stat", pid)
	}
	utime, err1 := strconv.ParseInt(f[11], 10, 64)
	stime, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, 0, fmt.Errorf("/proc/%d/stat: utime %q stime %q", pid, f[11], f[12])
	}
	const ticks = 100 // USER_HZ on Linux
	return peakRSS, time.Duration(utime+stime) * time.Second / ticks, nil
}
