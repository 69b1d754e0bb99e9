package wire

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/specialvfx/vfx/internal/dataurl"
	"github.com/specialvfx/vfx/internal/testutil"
	"github.com/specialvfx/vfx/internal/workload"
)

const query400 = "scols=400&srows=300&wcols=400&wrows=300&coff=0&roff=0&aa=false"

func TestDecodeRaytrace(t *testing.T) {
	scene := testutil.SeedFile(t, "raytracer/scenes/test01.txt")
	req, _, err := Decode(workload.Raytracer, query400+"&multi=TRUE", []byte(sceneBody(scene, nil)), DefaultLimits())
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
	req, _, err := Decode(workload.Raytracer, query400, []byte(sceneBody(scene, tex)), DefaultLimits())
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
	req2, _, err := Decode(workload.Raytracer, query400, []byte(b64), DefaultLimits())
	if err != nil {
		t.Fatal(err)
	}
	if req2.Features != f {
		t.Errorf("base64 texmap features %+v, want %+v", req2.Features, f)
	}
}

func TestDecodeImage(t *testing.T) {
	img := testutil.PNG(t, 37, 21)
	for _, tc := range []struct {
		name string
		body string
	}{
		{"one line", dataurl.String("png", img)},
		{"wrapped at 76 columns", testutil.WrappedDataURL("png", img)},
		{"CRLF wrapped", strings.ReplaceAll(testutil.WrappedDataURL("png", img), "\n", "\r\n")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req, _, err := Decode(workload.Blur, "", []byte(tc.body), DefaultLimits())
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
	good := sceneBody(scene01, nil)
	png := testutil.PNG(t, 8, 8)
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
		{"scene error", workload.Raytracer, query400, sceneBody([]byte(strings.Replace(string(scene01), "sphere", "sphre", 1)), nil), 400, `"sphre"`},
		{"truncated scene", workload.Raytracer, query400, sceneBody(scene01[:40], nil), 400, "scene"},
		{"texmap scene without texmap", workload.Raytracer, query400, sceneBody(texScene, nil), 400, "texmap"},
		{"texmap out of range", workload.Raytracer, query400, `{"scene": "x", "texmap": [1, 256]}`, 400, "element 1 is 256"},
		{"texmap fraction", workload.Raytracer, query400, `{"scene": "x", "texmap": [1.5]}`, 400, "not an integer"},
		{"texmap object", workload.Raytracer, query400, `{"scene": "x", "texmap": {}}`, 400, `"texmap" is a JSON object, neither`},
		{"texmap bad base64", workload.Raytracer, query400, `{"scene": "x", "texmap": "@@@"}`, 400, "not valid base64"},
		{"texmap not an image", workload.Raytracer, query400, sceneBody(texScene, []byte("hello, not an image")), 400, "texmap"},
		{"not a data URL", workload.Blur, "", "hello", 400, ""},
		{"bad base64", workload.Blur, "", "data:image/png;base64,@@@###", 400, ""},
		{"unsupported format", workload.Enhance, "", dataurl.String("webp", png), 415, "webp"},
		{"not an image", workload.Blur, "", dataurl.String("png", []byte("this is plain text, not an image at all")), 400, ""},
		{"decompression bomb", workload.Blur, "", dataurl.String("png", testutil.BombPNG(100000, 100000)), 413, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := Decode(tc.kind, tc.query, []byte(tc.body), DefaultLimits())
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

// TestDecodePartialFeatures: a refused request still has the features
// known before the error, for its record; the request itself is nil.
func TestDecodePartialFeatures(t *testing.T) {
	bomb := testutil.BombPNG(200000, 100000)
	scene := []byte("not a scene")
	for _, tc := range []struct {
		name   string
		kind   workload.Kind
		query  string
		body   string
		status int
		want   workload.Features
	}{
		{"decompression bomb", workload.Blur, "", dataurl.String("png", bomb), 413,
			workload.Features{Kind: workload.Blur, Width: 200000, Height: 100000, Format: "png", InputBytes: len(bomb), InputHash: InputHash(bomb)}},
		{"not a data URL", workload.Enhance, "", "hello", 400, workload.Features{Kind: workload.Enhance}},
		{"bad scene", workload.Raytracer, query400 + "&aa=true&coff=3", sceneBody(scene, []byte{1, 2}), 400,
			workload.Features{Kind: workload.Raytracer, SCols: 400, SRows: 300, WCols: 400, WRows: 300, COff: 3, AA: true,
				SceneBytes: len(scene), TexmapBytes: 2, InputBytes: len(scene) + 2, InputHash: InputHash(scene, []byte{1, 2})}},
		{"malformed body", workload.Raytracer, query400, `{"scene": `, 400,
			workload.Features{Kind: workload.Raytracer, SCols: 400, SRows: 300, WCols: 400, WRows: 300}},
		{"window larger than the scene", workload.Raytracer, "scols=4&srows=3&wcols=8&wrows=6&coff=0&roff=0", sceneBody(scene, nil), 400,
			workload.Features{Kind: workload.Raytracer, SCols: 4, SRows: 3, WCols: 8, WRows: 6}},
		{"missing parameter", workload.Raytracer, "scols=4&srows=3", sceneBody(scene, nil), 400, workload.Features{Kind: workload.Raytracer}},
		{"unknown workload", workload.Kind("sharpen"), "", "", 404, workload.Features{Kind: "sharpen"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req, f, err := Decode(tc.kind, tc.query, []byte(tc.body), DefaultLimits())
			if StatusOf(err) != tc.status {
				t.Fatalf("status %d (%v), want %d", StatusOf(err), err, tc.status)
			}
			if req != nil {
				t.Errorf("request %+v with the error", req)
			}
			if f != tc.want {
				t.Errorf("features\n got %+v\nwant %+v", f, tc.want)
			}
		})
	}
}

// TestDecodeReturnsTheRequestsFeatures: on success the features returned
// are the request's.
func TestDecodeReturnsTheRequestsFeatures(t *testing.T) {
	img := testutil.PNG(t, 5, 4)
	req, f, err := Decode(workload.Enhance, "", []byte(dataurl.String("png", img)), DefaultLimits())
	if err != nil {
		t.Fatal(err)
	}
	if f != req.Features || f.Width != 5 || f.Height != 4 {
		t.Errorf("features %+v, request's %+v", f, req.Features)
	}
}

func mustJSON(tb testing.TB, v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		tb.Fatal(err)
	}
	return string(b)
}

// TestDecodeImageBadBase64: a bad character anywhere in an image's base64,
// even past its header, refuses the request with dataurl.Open's error (the
// character's offset in the body) and no features but the workload, as
// when the base64 was checked before the image was read.
func TestDecodeImageBadBase64(t *testing.T) {
	body := dataurl.String("jpg", testutil.SeedFile(t, "imageproc/inputs/airplane.jpg"))
	for _, at := range []int{len("data:image/jpg;base64,"), 30, 5000, len(body) - 10} {
		bad := []byte(body)
		bad[at] = '!'
		_, _, wantErr := dataurl.Open(bad)
		_, f, err := DecodeHeader(workload.Enhance, "", bad, DefaultLimits())
		if wantErr == nil || err == nil || !strings.Contains(err.Error(), wantErr.Error()) || StatusOf(err) != 400 {
			t.Errorf("'!' at byte %d: error %v (status %d), want 400 with %v", at, err, StatusOf(err), wantErr)
		}
		if f != (workload.Features{Kind: workload.Enhance}) {
			t.Errorf("'!' at byte %d: features %+v, want only the workload", at, f)
		}
	}
}

// TestDecodeHeaderOnly: without the input hash, an image request gives
// DecodeHeader's features but the hash, and refuses what DecodeHeader
// refuses with the same error and features (the hash included), but for
// what lies past the image's header (bad base64 further on, a JPEG of too
// many scans), which DecodeHeader (and so a worker) refuses.
func TestDecodeHeaderOnly(t *testing.T) {
	airplane := testutil.SeedFile(t, "imageproc/inputs/airplane.jpg")
	good := dataurl.String("jpg", airplane)
	badLate := []byte(good)
	badLate[len(badLate)-100] = '!'
	bomb := testutil.BombPNG(200000, 100000)
	badBomb := []byte(dataurl.String("png", bomb))
	badBomb[len(badBomb)-3] = '*'
	for _, tc := range []struct {
		name       string
		body       string
		onlyStatus int // DecodeHeaderOnly's status, 0 for none
	}{
		{"jpeg", good, 0},
		{"png wrapped", testutil.WrappedDataURL("png", testutil.PNG(t, 37, 21)), 0},
		{"bad base64 at the start", "data:image/png;base64,!!!", 400},
		{"bad base64 past the header", string(badLate), 0},
		{"decompression bomb", dataurl.String("png", bomb), 413},
		{"decompression bomb with bad base64", string(badBomb), 400},
		{"not an image", dataurl.String("png", []byte("hello, world")), 400},
		{"unsupported format", dataurl.String("tiff", bomb), 415},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, _, err := Prepare(workload.Blur, "", []byte(tc.body), DefaultLimits())
			if err != nil {
				t.Fatal(err)
			}
			_, fOnly, errOnly := p.DecodeHeaderOnly()
			if StatusOf(errOnly) != tc.onlyStatus && !(tc.onlyStatus == 0 && errOnly == nil) {
				t.Fatalf("DecodeHeaderOnly: %v (status %d), want status %d", errOnly, StatusOf(errOnly), tc.onlyStatus)
			}
			_, f, err := p.DecodeHeader()
			if errOnly != nil {
				if err == nil || err.Error() != errOnly.Error() || f != fOnly {
					t.Errorf("DecodeHeader: %v %+v; DecodeHeaderOnly: %v %+v", err, f, errOnly, fOnly)
				}
				return
			}
			if err == nil {
				f.InputHash = ""
				if f != fOnly {
					t.Errorf("features %+v, want DecodeHeader's but the hash: %+v", fOnly, f)
				}
			}
		})
	}
}
