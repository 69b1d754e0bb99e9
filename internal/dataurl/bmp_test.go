package dataurl
import ("bytes";"os";"testing";"golang.org/x/image/bmp")
func TestBMPRoundTripGolden(t *testing.T){
 raw,_:=os.ReadFile("../../../shared/seed-data/raytracer/reference-renders/result.bmp")
 img,err:=bmp.Decode(bytes.NewReader(raw)); if err!=nil{t.Fatal(err)}
 var buf bytes.Buffer; if err:=EncodeBMP(&buf,img);err!=nil{t.Fatal(err)}
 if !bytes.Equal(buf.Bytes(),raw){t.Fatal("differs")}
}
