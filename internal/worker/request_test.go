package worker

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/specialvfx/vfx/internal/testutil"
	"github.com/specialvfx/vfx/internal/workload"
)

const query400 = "scols=400&srows=300&wcols=400&wrows=300&coff=0&roff=0&aa=false"

// sceneBody is the original's JSON body for scene (as jq -sR '{scene: .}'
// writes it) with an optional texmap of byte values.
func sceneBody(tb testing.TB, scene []byte, texmap []byte) string {
	tb.Helper()
	m := map[string]any{"scene": string(scene)}
	if texmap != nil {
		ints := make([]int, len(texmap))
		for i, b := range texmap {
			ints[i] = int(b)
		}
		m["texmap"] = ints
	}
	b, err := json.Marshal(m)
	if err != nil {
		tb.Fatal(err)
	}
	return string(b)
}

func TestDecodeRaytrace(t *testing.T) {
	scene := testutil.SeedFile(t, "raytracer/scenes/test01.txt")
	req, err := Decode(workload.Raytracer, query400+"&multi=TRUE", []byte(sceneBody(t, scene, nil)), DefaultLimits())
	if err != nil {
		t.Fatal(err)
	}
	f := req.Features
	sum := sha256.Sum256(scene)
	want := workload.Features{
		Kind: workload.Raytracer, SCols: 400, SRows: 300, WCols: 400, WRows: 300,
		Shapes: 4, Lights: 3, SceneBytes: len(scene), InputBytes: len(scene),
		InputHash: hex.EncodeToString(sum[:]),
	}
	if f != want {
		t.Errorf("features\n got %+v\nwant %+v", f, want)
	}
	if !req.Multi || req.Params.AA {
		t.Errorf("multi %v aa %v, want multi true (TRUE) and aa false", req.Multi, req.Params.AA)
	}
}

func TestDecodeRaytraceTexmap(t *testing.T) {
	scene := testutil.SeedFile(t, "raytracer/scenes/test-texmap.txt")
	tex := testutil.SeedFile(t, "raytracer/textures/test-texmap.bmp")
	req, err := Decode(workload.Raytracer, query400, []byte(sceneBody(t, scene, tex)), DefaultLimits())
	if err != nil {
		t.Fatal(err)
	}
	f := req.Features
	if f.TexmapBytes != len(tex) || f.SceneBytes != len(scene) || f.InputBytes != len(scene)+len(tex) {
		t.Errorf("sizes: texmap %d scene %d input %d, want %d %d %d", f.TexmapBytes, f.SceneBytes, f.InputBytes, len(tex), len(scene), len(scene)+len(tex))
	}
	if f.Shapes != 12 || f.Lights != 3 {
		t.Errorf("shapes %d lights %d, want 12 and 3", f.Shapes, f.Lights)
	}
	if want := InputHash(scene, tex); f.InputHash != want {
		t.Errorf("input hash %s, want %s", f.InputHash, want)
	}
	// The same texmap as a base64 string (beyond the original) decodes
	// the same.
	b64 := `{"scene":` + mustJSON(t, string(scene)) + `,"texmap":` + mustJSON(t, tex) + `}`
	req2, err := Decode(workload.Raytracer, query400, []byte(b64), DefaultLimits())
	if err != nil {
		t.Fatal(err)
	}
	if req2.Features != f {
		t.Errorf("base64 texmap features %+v, want %+v", req2.Features, f)
	}
}

func mustJSON(tb testing.TB, v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		tb.Fatal(err)
	}
	return string(b)
}

func TestDecodeImage(t *testing.T) {
	img := testPNG(t, 37, 21)
	for _, tc := range []struct {
		name string
		body string
	}{
		{"one line", dataURL("png", img)},
		{"wrapped at 76 columns", wrapped76("png", img)},
		{"CRLF wrapped", strings.ReplaceAll(wrapped76("png", img), "\n", "\r\n")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req, err := Decode(workload.Blur, "", []byte(tc.body), DefaultLimits())
			if err != nil {
				t.Fatal(err)
			}
			sum := sha256.Sum256(img)
			want := workload.Features{Kind: workload.Blur, Width: 37, Height: 21, Format: "png", InputBytes: len(img), InputHash: hex.EncodeToString(sum[:])}
			if req.Features != want {
				t.Errorf("features\n got %+v\nwant %+v", req.Features, want)
			}
			if req.Format != "png" || string(req.Image) != string(img) {
				t.Errorf("format %q, image %d bytes; want png and the input's %d bytes", req.Format, len(req.Image), len(img))
			}
		})
	}
}

func TestDecodeErrors(t *testing.T) {
	scene01 := testutil.SeedFile(t, "raytracer/scenes/test01.txt")
	texScene := testutil.SeedFile(t, "raytracer/scenes/test-texmap.txt")
	good := sceneBody(t, scene01, nil)
	png := testPNG(t, 8, 8)
	for _, tc := range []struct {
		name   string
		kind   workload.Kind
		query  string
		body   string
		status int
		want   string // in the message
	}{
		{"no query", workload.Raytracer, "", good, 400, `missing query parameter "scols"`},
		{"missing roff", workload.Raytracer, "scols=4&srows=3&wcols=4&wrows=3&coff=0", good, 400, `missing query parameter "roff"`},
		{"non-integer wcols", workload.Raytracer, "scols=4&srows=3&wcols=abc&wrows=3&coff=0&roff=0", good, 400, `wcols="abc" is not an integer`},
		{"fractional srows", workload.Raytracer, "scols=4&srows=3.5&wcols=4&wrows=3&coff=0&roff=0", good, 400, `srows="3.5" is not an integer`},
		{"negative size", workload.Raytracer, "scols=-4&srows=3&wcols=4&wrows=3&coff=0&roff=0", good, 400, "scols"},
		{"huge size", workload.Raytracer, "scols=100000&srows=100000&wcols=4&wrows=3&coff=0&roff=0", good, 400, "bad render parameters"},
		{"empty body", workload.Raytracer, query400, "", 400, "empty request body"},
		{"malformed JSON", workload.Raytracer, query400, `{"scene": "0 0 0`, 400, "malformed JSON body"},
		{"JSON array", workload.Raytracer, query400, `[1,2]`, 400, "not an object"},
		{"missing scene", workload.Raytracer, query400, `{"texmap": [1,2]}`, 400, `missing "scene"`},
		{"null scene", workload.Raytracer, query400, `{"scene": null}`, 400, `missing "scene"`},
		{"scene not a string", workload.Raytracer, query400, `{"scene": 42}`, 400, `"scene" is a JSON number, not a string`},
		{"scene error", workload.Raytracer, query400, sceneBody(t, []byte(strings.Replace(string(scene01), "sphere", "sphre", 1)), nil), 400, `"sphre"`},
		{"truncated scene", workload.Raytracer, query400, sceneBody(t, scene01[:40], nil), 400, "scene"},
		{"texmap scene without texmap", workload.Raytracer, query400, sceneBody(t, texScene, nil), 400, "texmap"},
		{"texmap out of range", workload.Raytracer, query400, `{"scene": "x", "texmap": [1, 256]}`, 400, "element 1 is 256"},
		{"texmap fraction", workload.Raytracer, query400, `{"scene": "x", "texmap": [1.5]}`, 400, "not an integer"},
		{"texmap object", workload.Raytracer, query400, `{"scene": "x", "texmap": {}}`, 400, `"texmap" is a JSON object, neither`},
		{"texmap bad base64", workload.Raytracer, query400, `{"scene": "x", "texmap": "@@@"}`, 400, "not valid base64"},
		{"texmap not an image", workload.Raytracer, query400, sceneBody(t, texScene, []byte("hello, not an image")), 400, "texmap"},
		{"not a data URL", workload.Blur, "", "hello", 400, ""},
		{"bad base64", workload.Blur, "", "data:image/png;base64,@@@###", 400, ""},
		{"unsupported format", workload.Enhance, "", dataURL("webp", png), 415, "webp"},
		{"not an image", workload.Blur, "", dataURL("png", []byte("this is plain text, not an image at all")), 400, ""},
		{"decompression bomb", workload.Blur, "", dataURL("png", bombPNG(100000, 100000)), 413, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Decode(tc.kind, tc.query, []byte(tc.body), DefaultLimits())
			if err == nil {
				t.Fatal("no error")
			}
			var re *RequestError
			if !errors.As(err, &re) {
				t.Fatalf("error %T %v is not a *RequestError", err, err)
			}
			if re.Status != tc.status {
				t.Errorf("status %d, want %d (%v)", re.Status, tc.status, err)
			}
			if StatusOf(err) != tc.status {
				t.Errorf("StatusOf = %d, want %d", StatusOf(err), tc.status)
			}
			msg := err.Error()
			if !strings.Contains(msg, tc.want) {
				t.Errorf("message %q does not contain %q", msg, tc.want)
			}
			if strings.ContainsAny(msg, "\r\n") || msg == "" {
				t.Errorf("message %q is not one non-empty line", msg)
			}
		})
	}
}

func TestDecodeRaytraceBody(t *testing.T) {
	deep := strings.Repeat("[", maxDepth+1) + strings.Repeat("]", maxDepth+1)
	for _, tc := range []struct {
		name   string
		body   string
		scene  string
		texmap []byte
		err    string // "" = no error; else in the message
	}{
		{"scene only", `{"scene": "a\r\nb"}`, "a\r\nb", nil, ""},
		{"jq pretty print", "{\n  \"scene\": \"x\",\n  \"texmap\": [\n    66,\n    77\n  ]\n}\n", "x", []byte{66, 77}, ""},
		{"escapes", `{"scene": "tab\there \u00e9 \"q\""}`, "tab\there \u00e9 \"q\"", nil, ""},
		{"other keys ignored", `{"a": {"b": [1, {"c": null}], "d": "}"}, "scene": "s", "e": -1.5e3, "f": true}`, "s", nil, ""},
		{"last duplicate wins", `{"scene": "one", "scene": "two", "texmap": [1], "texmap": [2, 3]}`, "two", []byte{2, 3}, ""},
		{"texmap null", `{"scene": "s", "texmap": null}`, "s", nil, ""},
		{"texmap empty", `{"scene": "s", "texmap": []}`, "s", nil, ""},
		{"texmap base64", `{"scene": "s", "texmap": "QkwA"}`, "s", []byte("BL\x00"), ""},
		{"keys are case-sensitive", `{"Scene": "s"}`, "", nil, `missing "scene"`},
		{"empty object", `{}`, "", nil, `missing "scene"`},
		{"trailing data", `{"scene": "s"} x`, "", nil, "unexpected data after the object"},
		{"missing colon", `{"scene" "s"}`, "", nil, "want ':'"},
		{"missing comma", `{"scene": "s" "texmap": []}`, "", nil, "want ',' or '}'"},
		{"unterminated string", `{"scene": "s`, "", nil, "unterminated string"},
		{"raw newline in string", "{\"scene\": \"a\nb\"}", "", nil, "control character"},
		{"bad escape", `{"scene": "\x"}`, "", nil, "malformed JSON"},
		{"invalid ignored value", `{"scene": "s", "x": [1,,2]}`, "", nil, "malformed JSON"},
		{"bad literal", `{"scene": "s", "x": nul}`, "", nil, "invalid JSON value"},
		{"too deep", `{"scene": "s", "x": ` + deep + `}`, "", nil, "nested deeper"},
		{"string body", `"scene"`, "", nil, "is a JSON string, not an object"},
		{"number key", `{1: 2}`, "", nil, "want a string"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			scene, texmap, err := decodeRaytraceBody([]byte(tc.body))
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("error %v, want one containing %q", err, tc.err)
				}
				if StatusOf(err) != http.StatusBadRequest {
					t.Errorf("status %d, want 400", StatusOf(err))
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if string(scene) != tc.scene || string(texmap) != string(tc.texmap) || (texmap == nil) != (tc.texmap == nil) {
				t.Errorf("scene %q texmap %v, want %q %v", scene, texmap, tc.scene, tc.texmap)
			}
		})
	}
}

// TestDecodePartialFeatures: a refused request still has the features
// known before the error, for its record.
func TestDecodePartialFeatures(t *testing.T) {
	bomb := bombPNG(200000, 100000)
	_, f, err := decode(workload.Blur, "", []byte(dataURL("png", bomb)), DefaultLimits())
	if StatusOf(err) != http.StatusRequestEntityTooLarge {
		t.Fatalf("bomb: %v", err)
	}
	if want := (workload.Features{Kind: workload.Blur, Width: 200000, Height: 100000, Format: "png", InputBytes: len(bomb), InputHash: InputHash(bomb)}); f != want {
		t.Errorf("bomb features %+v, want %+v", f, want)
	}
	scene := []byte("not a scene")
	_, f, err = decode(workload.Raytracer, query400+"&aa=true&coff=3", []byte(sceneBody(t, scene, []byte{1, 2})), DefaultLimits())
	if StatusOf(err) != http.StatusBadRequest {
		t.Fatalf("bad scene: %v", err)
	}
	want := workload.Features{Kind: workload.Raytracer, SCols: 400, SRows: 300, WCols: 400, WRows: 300, COff: 3, AA: true,
		SceneBytes: len(scene), TexmapBytes: 2, InputBytes: len(scene) + 2, InputHash: InputHash(scene, []byte{1, 2})}
	if f != want {
		t.Errorf("bad scene features\n got %+v\nwant %+v", f, want)
	}
}

func TestParseQuery(t *testing.T) {
	for _, tc := range []struct {
		name string
		raw  string
		want map[string]string
	}{
		{"plain", "scols=400&srows=300", map[string]string{"scols": "400", "srows": "300"}},
		{"key without value", "aa&scols=1", map[string]string{"aa": "", "scols": "1"}},
		{"url-encoded", "scols=%34%30%30&a%61=true", map[string]string{"scols": "400", "aa": "true"}},
		{"bad escape kept raw", "scols=4%zz", map[string]string{"scols": "4%zz"}},
		{"later duplicate wins", "aa=false&aa=true", map[string]string{"aa": "true"}},
		{"empty parts", "&&scols=1&", map[string]string{"scols": "1"}},
		{"value with =", "k=a=b", map[string]string{"k": "a=b"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := parseQuery(tc.raw)
			if len(got) != len(tc.want) {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
			for k, v := range tc.want {
				if got[k] != v {
					t.Errorf("%s = %q, want %q", k, got[k], v)
				}
			}
		})
	}
}

func TestBoolParam(t *testing.T) {
	for _, tc := range []struct {
		v    string
		want bool
	}{{"true", true}, {"TRUE", true}, {"True", true}, {"false", false}, {"1", false}, {"yes", false}, {"", false}} {
		if got := boolParam(map[string]string{"aa": tc.v}, "aa"); got != tc.want {
			t.Errorf("aa=%q: %v, want %v", tc.v, got, tc.want)
		}
	}
	if boolParam(map[string]string{}, "aa") {
		t.Error("absent aa is true, want false")
	}
}

func TestParseByteArray(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   string
		want []byte
		err  string
	}{
		{"empty", "[]", []byte{}, ""},
		{"values", "[0, 66,77 ,255]", []byte{0, 66, 77, 255}, ""},
		{"signed bytes", "[-1,-128]", []byte{255, 128}, ""},
		{"pretty printed", "[\n  1,\n  2\n]", []byte{1, 2}, ""},
		{"too big", "[300]", nil, "out of range"},
		{"too small", "[-129]", nil, "out of range"},
		{"huge number", "[99999999999999999999]", nil, "out of range"},
		{"exponent", "[1e2]", nil, "not an integer"},
		{"string element", `["a"]`, nil, "not an integer"},
		{"unterminated", "[1,2", nil, "unterminated"},
		{"missing comma", "[1 2]", nil, "want ',' or ']'"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, n, err := parseByteArray([]byte(tc.in + " "))
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("error %v, want one containing %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != string(tc.want) || n != len(tc.in) {
				t.Errorf("got %v using %d bytes, want %v using %d", got, n, tc.want, len(tc.in))
			}
		})
	}
}

func TestOneLine(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"a\nb", "a; b"},
		{"  a \r\n\r\n b\t c ", "a; b  c"},
		{"x\x00y", "x y"},
	} {
		if got := oneLine(tc.in); got != tc.want {
			t.Errorf("oneLine(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	long := oneLine(strings.Repeat("é", 2000))
	if len(long) > maxMessage+len("…") || !strings.HasSuffix(long, "…") {
		t.Errorf("long message is %d bytes, want at most %d ending in …", len(long), maxMessage+3)
	}
}
