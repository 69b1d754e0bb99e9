package raytracer

import "math"

// camera is the original's Camera: a window at distance 1 whose size comes
// from the sine (not the tangent) of the half angles, the horizontal angle
// being the vertical one scaled linearly by the aspect ratio, and rays
// generated through the original's 4x4 matrices.
type camera struct {
	eye        vec
	m          [4][4]float64 // tInv * rT
	cols, rows float64
	w, h       float64 // window width and height
}

func newCamera(eye, center, up vec, fovyDeg float64, cols, rows int) camera {
	fovy := fovyDeg * (math.Pi / 180) // Math.toRadians
	fovx := fovy * float64(cols) / float64(rows)

	vz := center.sub(eye).neg().normalize()
	vx := up.cross(vz).normalize()
	vy := vz.cross(vx)

	rT := [4][4]float64{
		{vx.x, vy.x, vz.x, 0},
		{vx.y, vy.y, vz.y, 0},
		{vx.z, vy.z, vz.z, 0},
		{0, 0, 0, 1},
	}
	tInv := [4][4]float64{
		{1, 0, 0, eye.x},
		{0, 1, 0, eye.y},
		{0, 0, 1, eye.z},
		{0, 0, 0, 1},
	}
	var m [4][4]float64
	for r := 0; r < 4; r++ {
		for c := 0; c < 4; c++ {
			m[r][c] = float64(tInv[r][0]*rT[0][c]) + float64(tInv[r][1]*rT[1][c]) +
				float64(tInv[r][2]*rT[2][c]) + float64(tInv[r][3]*rT[3][c])
		}
	}
	return camera{
		eye:  eye,
		m:    m,
		cols: float64(cols),
		rows: float64(rows),
		h:    math.Sin(fovy/2.0) * 1.0 * 2.0,
		w:    math.Sin(fovx/2.0) * 1.0 * 2.0,
	}
}

// ray is the primary ray through scene pixel (col, row), row 0 at the
// bottom, at sub-pixel offset (dx, dy).
func (c *camera) ray(col, row int, dx, dy float64) ray {
	// The compiler turns /2.0 into *0.5, a product it could fuse.
	x := float64((float64(col)+dx)/c.cols*c.w) - float64(c.w/2.0)
	y := float64((float64(row)+dy)/c.rows*c.h) - float64(c.h/2.0)
	const z = -1.0
	m := &c.m
	px := float64(m[0][0]*x) + float64(m[0][1]*y) + float64(m[0][2]*z) + float64(m[0][3]*1.0)
	py := float64(m[1][0]*x) + float64(m[1][1]*y) + float64(m[1][2]*z) + float64(m[1][3]*1.0)
	pz := float64(m[2][0]*x) + float64(m[2][1]*y) + float64(m[2][2]*z) + float64(m[2][3]*1.0)
	w := float64(m[3][0]*x) + float64(m[3][1]*y) + float64(m[3][2]*z) + float64(m[3][3]*1.0)
	p := vec{px / w, py / w, pz / w}
	return newRay(c.eye, p.sub(c.eye))
}
