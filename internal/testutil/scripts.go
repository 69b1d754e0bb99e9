package testutil

import (
	"os"
	"os/exec"
	"testing"
)

// NeedTools fails tb unless every tool is on PATH.
func NeedTools(tb testing.TB, tools ...string) {
	tb.Helper()
	for _, tool := range tools {
		if _, err := exec.LookPath(tool); err != nil {
			tb.Fatalf("%s is not installed: the end-to-end tests run the original client scripts with it (apt-get install curl jq bsdextrautils)", tool)
		}
	}
}

// RunScript runs a bash script (with set -euo pipefail) in dir, with env
// added to the environment, and returns its output. It fails tb with the
// script and its output if the script fails.
func RunScript(tb testing.TB, dir, script string, env ...string) string {
	tb.Helper()
	cmd := exec.Command("bash", "-c", "set -euo pipefail\n"+script)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		tb.Fatalf("script failed: %v\n--- script\n%s\n--- output\n%s", err, script, out)
	}
	return string(out)
}

// The original system's client scripts, as its users run them (curl, jq,
// hexdump, base64, sed), against the server at http://$ADDR. They run in a
// directory that CopyScriptInputs filled.

// scriptInputs are the seed files the client scripts read.
var scriptInputs = []string{
	"imageproc/inputs/airplane.jpg",
	"raytracer/scenes/test01.txt",
	"raytracer/scenes/test-texmap.txt",
	"raytracer/textures/test-texmap.bmp",
}

// CopyScriptInputs copies the files the client scripts read into dir:
// airplane.jpg, test01.txt, test-texmap.txt and test-texmap.bmp.
func CopyScriptInputs(tb testing.TB, dir string) {
	tb.Helper()
	for _, f := range scriptInputs {
		CopySeed(tb, f, dir)
	}
}

// ImageScript is sendBlurImageRequest.sh (path "blurimage") or
// sendEnhanceImageRequest.sh (path "enhanceimage"): it sends airplane.jpg
// as a data URL (left in temp.txt) and writes the image of the answer to
// PATH.jpg.
func ImageScript(path string) string {
	return `
base64 airplane.jpg > temp.txt
echo -e "data:image/jpg;base64,$(cat temp.txt)" > temp.txt
curl -sS -X POST http://$ADDR/` + path + ` --data @"./temp.txt" > result.txt
sed -i 's/^[^,]*,//' result.txt
base64 -d result.txt > result.jpg
mv result.jpg ` + path + `.jpg
`
}

// RaytracerScript is sendRayTracerRequest.sh: test01.txt rendered at
// 400x300 into result.bmp.
const RaytracerScript = `
cat test01.txt | jq -sR '{scene: .}' > payload.json
curl -sS -X POST "http://$ADDR/raytracer?scols=400&srows=300&wcols=400&wrows=300&coff=0&roff=0&aa=false" --data @"payload.json" > result.txt
sed -i 's/^[^{]*,//' result.txt
base64 -d result.txt > result.bmp
`

// TexmapScript is sendRayTracerRequest.sh's texmap variant (its
// commented-out hexdump | jq step) with the course's "complex" request:
// test-texmap.txt with its texture test-texmap.bmp, rendered at 400x300
// into texmap.bmp.
const TexmapScript = `
cat test-texmap.txt | jq -sR '{scene: .}' > payload.json
hexdump -ve '1/1 "%u\n"' test-texmap.bmp | jq -s --argjson original "$(<payload.json)" '$original * {texmap: .}' > payload.json
curl -sS -X POST "http://$ADDR/raytracer?scols=400&srows=300&wcols=400&wrows=300&coff=0&roff=0&aa=false" --data @"payload.json" > result.txt
sed -i 's/^[^{]*,//' result.txt
base64 -d result.txt > texmap.bmp
`
