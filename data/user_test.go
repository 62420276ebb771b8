package data

import (
	"archive/zip"
	"bytes"
	"image"
	"image/color"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/qpeft/qpeft/formats/npy"
	"github.com/qpeft/qpeft/internal/testenv"
)

func TestStratifiedSplit(t *testing.T) {
	// 3 classes of 50, 20 and 7 examples, interleaved.
	var labels []int
	for i := 0; i < 77; i++ {
		switch {
		case i%3 == 0 && i < 60:
			labels = append(labels, 0)
		case i%3 == 1 && i < 60:
			labels = append(labels, 1)
		default:
			labels = append(labels, 2)
		}
	}
	count := func(idx []int) []int {
		c := make([]int, 3)
		for _, i := range idx {
			c[labels[i]]++
		}
		return c
	}
	all := count(func() []int {
		s := make([]int, len(labels))
		for i := range s {
			s[i] = i
		}
		return s
	}())
	tr, va, te, err := StratifiedSplit(labels, 3, 0.1, 0.2, 7, nil)
	require.NoError(t, err)
	// Every example in exactly one part.
	seen := make([]int, len(labels))
	for _, part := range [][]int{tr, va, te} {
		for k, i := range part {
			seen[i]++
			if k > 0 {
				assert.Less(t, part[k-1], i, "parts are sorted")
			}
		}
	}
	for i, n := range seen {
		assert.Equal(t, 1, n, "example %d", i)
	}
	// Per class: round(n·f) (at least 1) held out.
	cv, ct := count(va), count(te)
	for c, n := range all {
		wantV := max(1, int(float64(n)*0.1+0.5))
		wantT := max(1, int(float64(n)*0.2+0.5))
		assert.Equal(t, wantV, cv[c], "class %d validation", c)
		assert.Equal(t, wantT, ct[c], "class %d test", c)
	}
	// Deterministic per seed, different across seeds.
	tr2, _, _, err := StratifiedSplit(labels, 3, 0.1, 0.2, 7, nil)
	require.NoError(t, err)
	assert.Equal(t, tr, tr2)
	tr3, _, _, err := StratifiedSplit(labels, 3, 0.1, 0.2, 8, nil)
	require.NoError(t, err)
	assert.NotEqual(t, tr, tr3)

	names := func(c int) string { return []string{"cat", "dog", "eel"}[c] }
	for _, tc := range []struct {
		name      string
		labels    []int
		classes   int
		val, test float64
		want      string
	}{
		{"too few", []int{0, 0, 0, 1, 1}, 2, 0.1, 0.1, "class dog has 2 example(s); a stratified train/validation/test split needs at least 3"},
		{"empty class", []int{0, 0, 0, 2, 2, 2}, 3, 0.1, 0.1, "class dog has no examples"},
		{"label out of range", []int{0, 3}, 3, 0.1, 0.1, "label 3 outside [0, 3)"},
		{"bad fractions", []int{0}, 1, 0.6, 0.5, "must be ≥ 0 and sum below 1"},
		{"two parts need two", []int{0, 1, 1}, 2, 0, 0.5, "class cat has 1 example(s); a stratified train/validation/test split needs at least 2"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, _, err := StratifiedSplit(tc.labels, tc.classes, tc.val, tc.test, 1, names)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}

// runPython runs a script with an interpreter that has the modules, failing the test on error.
func runPython(t *testing.T, script string, modules ...string) {
	t.Helper()
	py := testenv.Python(t, modules...)
	out, err := exec.Command(py, "-c", script).CombinedOutput()
	require.NoError(t, err, "python: %s\nscript:\n%s", out, script)
}

// pix is the pixel formula both the Python writers and the Go checks use.
func pix(i, c, y, x int) byte { return byte((i*37 + c*101 + y*13 + x*7) % 256) }

// TestNPZFromNumpy reads archives numpy wrote (savez and savez_compressed; uint8, int and
// float pixels; grayscale, channels-last RGB, channels-first and flat) and checks every
// pixel and label against the formula the script used.
func TestNPZFromNumpy(t *testing.T) {
	dir := t.TempDir()
	script := `
import numpy as np, os
d = ` + "'" + dir + "'" + `
def img(n, c, h, w):
    i, cc, y, x = np.meshgrid(np.arange(n), np.arange(c), np.arange(h), np.arange(w), indexing='ij')
    return ((i*37 + cc*101 + y*13 + x*7) % 256).astype(np.uint8)   # (n, c, h, w)
y30 = np.arange(30) % 3
np.savez(os.path.join(d, 'gray.npz'), x=img(30, 1, 4, 5)[:, 0], y=y30.astype(np.int64))
np.savez_compressed(os.path.join(d, 'rgb_last.npz'), x_train=img(12, 3, 2, 3).transpose(0, 2, 3, 1), y_train=(np.arange(12) % 4).astype(np.uint8),
    x_test=img(5, 3, 2, 3).transpose(0, 2, 3, 1), y_test=(np.arange(5) % 4).astype(np.int32).reshape(5, 1))
np.savez(os.path.join(d, 'chfirst_val.npz'), x_train=img(6, 3, 4, 4), y_train=np.arange(6) % 2, x_test=img(2, 3, 4, 4), y_test=np.arange(2) % 2,
    x_val=img(3, 3, 4, 4), y_val=np.arange(3) % 2)
np.savez(os.path.join(d, 'float_flat.npz'), x=(img(9, 1, 1, 6)[:, 0, 0, :] / 255.0).astype(np.float32), y=np.arange(9) % 3)
np.savez(os.path.join(d, 'int_pixels.npz'), x=img(9, 1, 2, 2)[:, 0].astype(np.int64), y=np.arange(9) % 3)
np.savez(os.path.join(d, 'object.npz'), x=np.array([np.zeros(3), np.zeros(4)], dtype=object), y=np.arange(2))
np.savez(os.path.join(d, 'float_255.npz'), x=img(9, 1, 2, 2)[:, 0].astype(np.float64), y=np.arange(9) % 3)
np.savez(os.path.join(d, 'float_y.npz'), x=img(9, 1, 2, 2)[:, 0], y=(np.arange(9) % 3).astype(np.float64))
np.savez(os.path.join(d, 'unknown_test_label.npz'), x_train=img(4, 1, 2, 2)[:, 0], y_train=np.arange(4) % 2, x_test=img(2, 1, 2, 2)[:, 0], y_test=np.array([1, 2]))
np.savez(os.path.join(d, 'gap.npz'), x=img(9, 1, 2, 2)[:, 0], y=np.array([0, 0, 0, 2, 2, 2, 2, 2, 2]))
np.savez(os.path.join(d, 'names.npz'), images=img(2, 1, 2, 2)[:, 0], labels=np.arange(2))
np.savez(os.path.join(d, 'mismatch.npz'), x=img(4, 1, 2, 2)[:, 0], y=np.arange(5))
np.savez(os.path.join(d, 'shapes.npz'), x_train=img(6, 1, 2, 2)[:, 0], y_train=np.arange(6) % 2, x_test=img(2, 1, 3, 2)[:, 0], y_test=np.arange(2))
np.savez(os.path.join(d, 'noy.npz'), x=img(2, 1, 2, 2)[:, 0])
`
	runPython(t, script, "numpy")

	checkImages := func(t *testing.T, d *Dataset, ch, rows, cols int, index func(k int) int) {
		t.Helper()
		require.Equal(t, []int{ch, rows, cols}, d.Shape())
		px := d.PixelsPerImage()
		for k := 0; k < d.N; k++ {
			i := index(k)
			for c := 0; c < ch; c++ {
				for y := 0; y < rows; y++ {
					for x := 0; x < cols; x++ {
						require.Equal(t, pix(i, c, y, x), d.Images[k*px+(c*rows+y)*cols+x], "image %d (source %d) c%d y%d x%d", k, i, c, y, x)
					}
				}
			}
		}
	}

	t.Run("gray x y split", func(t *testing.T) {
		s, err := LoadNPZ(filepath.Join(dir, "gray.npz"), 3)
		require.NoError(t, err)
		assert.Contains(t, s.How, "seeded stratified split (seed 3): 24 train, 3 validation, 3 test")
		for _, d := range []*Dataset{s.Train, s.Validation, s.Test} {
			assert.Equal(t, 3, d.Classes)
			// Recover each image's source index from its first pixel (37·i mod 256 is unique for i < 30).
			src := func(k int) int {
				for i := 0; i < 30; i++ {
					if pix(i, 0, 0, 0) == d.Images[k*d.PixelsPerImage()] {
						return i
					}
				}
				return -1
			}
			checkImages(t, d, 1, 4, 5, src)
			for k := 0; k < d.N; k++ {
				assert.Equal(t, byte(src(k)%3), d.Labels[k], "label of image %d", k)
			}
			assert.Equal(t, []int{d.N / 3, d.N / 3, d.N / 3}, d.ClassCounts(), "stratified")
		}
	})
	t.Run("rgb channels last, given splits, compressed", func(t *testing.T) {
		s, err := LoadNPZ(filepath.Join(dir, "rgb_last.npz"), 1)
		require.NoError(t, err)
		assert.Nil(t, s.Validation)
		assert.Equal(t, 4, s.Train.Classes)
		checkImages(t, s.Train, 3, 2, 3, func(k int) int { return k })
		checkImages(t, s.Test, 3, 2, 3, func(k int) int { return k })
		assert.Equal(t, []byte{0, 1, 2, 3, 0}, s.Test.Labels)
	})
	t.Run("channels first with validation", func(t *testing.T) {
		s, err := LoadNPZ(filepath.Join(dir, "chfirst_val.npz"), 1)
		require.NoError(t, err)
		require.NotNil(t, s.Validation)
		checkImages(t, s.Validation, 3, 4, 4, func(k int) int { return k })
		assert.Equal(t, 3, s.Validation.N)
	})
	t.Run("float pixels in [0,1], flat vectors", func(t *testing.T) {
		s, err := LoadNPZ(filepath.Join(dir, "float_flat.npz"), 1)
		require.NoError(t, err)
		assert.Equal(t, []int{1, 1, 6}, s.Train.Shape())
		for _, d := range []*Dataset{s.Train, s.Validation, s.Test} {
			for k := 0; k < d.N; k++ {
				i := -1
				for j := 0; j < 9; j++ {
					if pix(j, 0, 0, 0) == d.Images[k*6] {
						i = j
					}
				}
				for x := 0; x < 6; x++ {
					assert.Equal(t, pix(i, 0, 0, x), d.Images[k*6+x])
				}
			}
		}
	})
	t.Run("int64 pixels", func(t *testing.T) {
		_, err := LoadNPZ(filepath.Join(dir, "int_pixels.npz"), 1)
		require.NoError(t, err)
	})
	for _, tc := range []struct{ file, want string }{
		{"object.npz", "an object array (ragged images, or mixed types)"},
		{"float_255.npz", "float pixels must lie in [0, 1] (store uint8 pixels 0..255, or divide by 255)"},
		{"float_y.npz", "y has dtype <f8; labels are integers"},
		{"unknown_test_label.npz", "y_test[1] = 2 is an unknown label: y_train has the classes 0..1"},
		{"gap.npz", "class 1 has no examples"},
		{"names.npz", "unexpected array \"images\""},
		{"mismatch.npz", "y has shape [5] but x holds 4 images"},
		{"shapes.npz", "x_test holds [1 3 2] images but x_train [1 2 2]"},
		{"noy.npz", "array y is missing"},
	} {
		t.Run(tc.file, func(t *testing.T) {
			_, err := LoadNPZ(filepath.Join(dir, tc.file), 1)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
			assert.Contains(t, err.Error(), tc.file, "the error names the file")
		})
	}
}

func TestNPZRoundTripAndErrors(t *testing.T) {
	d := &Dataset{N: 6, Rows: 2, Cols: 2, Channels: 3, Classes: 2, Labels: []byte{0, 1, 0, 1, 0, 1}}
	for i := 0; i < d.N; i++ {
		for c := 0; c < 3; c++ {
			for p := 0; p < 4; p++ {
				d.Images = append(d.Images, pix(i, c, p/2, p%2))
			}
		}
	}
	var b bytes.Buffer
	require.NoError(t, WriteNPZ(&b, map[string]*Dataset{"_train": d, "_test": d.Subset([]int{1, 2})}))
	s, err := ReadNPZ(bytes.NewReader(b.Bytes()), int64(b.Len()), 1)
	require.NoError(t, err)
	assert.True(t, s.Train.Equal(d))
	assert.True(t, s.Test.Equal(d.Subset([]int{1, 2})))

	zipOf := func(members map[string][]byte) []byte {
		var b bytes.Buffer
		zw := zip.NewWriter(&b)
		for name, data := range members {
			w, err := zw.Create(name)
			require.NoError(t, err)
			_, err = w.Write(data)
			require.NoError(t, err)
		}
		require.NoError(t, zw.Close())
		return b.Bytes()
	}
	arr := func(shape []int, v []int64) []byte {
		var b bytes.Buffer
		require.NoError(t, npy.Write(&b, shape, v))
		return b.Bytes()
	}
	for _, tc := range []struct {
		name string
		in   []byte
		want string
	}{
		{"not zip", []byte("hello"), "not an .npz archive"},
		{"member not npy", zipOf(map[string][]byte{"x.txt": []byte("1")}), "member \"x.txt\" is not an .npy array"},
		{"truncated npy", zipOf(map[string][]byte{"x.npy": arr([]int{2, 2}, []int64{1, 2, 3, 4})[:150], "y.npy": arr([]int{2}, []int64{0, 1})}), "x: npy: data truncated"},
		{"negative label", zipOf(map[string][]byte{"x.npy": arr([]int{3, 1}, []int64{1, 2, 3}), "y.npy": arr([]int{3}, []int64{0, -1, 0})}), "y[1] = -1: labels must be class indices 0..255"},
		{"pixel 256", zipOf(map[string][]byte{"x.npy": arr([]int{3, 1}, []int64{1, 256, 3}), "y.npy": arr([]int{3}, []int64{0, 1, 0})}), "x: element 1 is 256; integer pixels must lie in 0..255"},
		{"5-d", zipOf(map[string][]byte{"x.npy": arr([]int{1, 1, 1, 1, 1}, []int64{1}), "y.npy": arr([]int{1}, []int64{0})}), "x has shape [1 1 1 1 1]"},
		{"4 channels", zipOf(map[string][]byte{"x.npy": arr([]int{1, 2, 2, 4}, make([]int64, 16)), "y.npy": arr([]int{1}, []int64{0})}), "neither its last nor its second axis has 1 or 3 channels"},
		{"no images", zipOf(map[string][]byte{"x.npy": arr([]int{0, 2}, nil), "y.npy": arr([]int{0}, nil)}), "x holds no images"},
		{"too few per class", zipOf(map[string][]byte{"x.npy": arr([]int{4, 1}, []int64{1, 2, 3, 4}), "y.npy": arr([]int{4}, []int64{0, 0, 0, 1})}), "class 1 has 1 example(s)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ReadNPZ(bytes.NewReader(tc.in), int64(len(tc.in)), 1)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
	t.Run("memory", func(t *testing.T) {
		saved := MemoryLimit
		MemoryLimit = 100
		t.Cleanup(func() { MemoryLimit = saved })
		_, err := ReadNPZ(bytes.NewReader(b.Bytes()), int64(b.Len()), 1)
		require.Error(t, err)
		assert.Contains(t, err.Error(), "above the memory limit of 100 bytes")
	})
}

// TestImageFolderFromPIL reads PNG files Pillow wrote (8-bit gray, 16-bit gray, RGB, RGBA,
// palette) and checks every pixel against the formula.
func TestImageFolderFromPIL(t *testing.T) {
	dir := t.TempDir()
	script := `
import numpy as np, os
from PIL import Image
d = ` + "'" + dir + "'" + `
def img(i, c, h, w):
    cc, y, x = np.meshgrid(np.arange(c), np.arange(h), np.arange(w), indexing='ij')
    return ((i*37 + cc*101 + y*13 + x*7) % 256).astype(np.uint8)
def save(path, arr, mode):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    if mode == 'L':
        Image.fromarray(arr[0], 'L').save(path)
    elif mode == 'I;16':
        Image.fromarray(arr[0].astype(np.uint16) * 257).save(path)   # 16-bit gray, same 8-bit value
    elif mode == 'RGB':
        Image.fromarray(arr.transpose(1, 2, 0), 'RGB').save(path)
    elif mode == 'RGBA':
        a = np.full(arr.shape[1:], 255, np.uint8); a[0, 0] = 40
        Image.fromarray(np.concatenate([arr, a[None]]).transpose(1, 2, 0), 'RGBA').save(path)
    elif mode == 'P':
        Image.fromarray(arr.transpose(1, 2, 0), 'RGB').quantize(256).save(path)
# gray: 3 classes x 4 images, 8- and 16-bit
for i in range(12):
    save(os.path.join(d, 'gray', ['ant', 'bee', 'cow'][i % 3], '%02d.png' % i), img(i, 1, 3, 4), 'L' if i % 2 else 'I;16')
# rgb, already split, one gray image among colour ones
for split, n in [('train', 6), ('test', 2), ('val', 2)]:
    for i in range(n):
        mode = 'RGB' if (i, split) != (1, 'train') else 'L'
        if (i, split) == (2, 'train'): mode = 'RGBA'
        arr = img(i, 3 if mode != 'L' else 1, 2, 3)
        save(os.path.join(d, 'rgb', split, ['x', 'y'][i % 2], '%s%d.png' % (split, i)), arr, mode)
`
	runPython(t, script, "numpy", "PIL")

	s, err := LoadImageFolder(filepath.Join(dir, "gray"), 5)
	require.NoError(t, err)
	assert.Equal(t, []string{"ant", "bee", "cow"}, s.Train.ClassNames)
	total := 0
	for _, d := range []*Dataset{s.Train, s.Validation, s.Test} {
		require.Equal(t, []int{1, 3, 4}, d.Shape())
		total += d.N
		for k := 0; k < d.N; k++ {
			i := -1
			for j := 0; j < 12; j++ {
				if pix(j, 0, 0, 0) == d.Images[k*12] && j%3 == int(d.Labels[k]) {
					i = j
				}
			}
			require.GreaterOrEqual(t, i, 0, "image %d matches no source", k)
			for p := 0; p < 12; p++ {
				assert.Equal(t, pix(i, 0, p/4, p%4), d.Images[k*12+p])
			}
		}
	}
	assert.Equal(t, 12, total)
	assert.Equal(t, []int{2, 2, 2}, s.Train.ClassCounts())

	s, err = LoadImageFolder(filepath.Join(dir, "rgb"), 5)
	require.NoError(t, err)
	assert.Contains(t, s.How, "train/, val/, test/")
	require.NotNil(t, s.Validation)
	for _, d := range []*Dataset{s.Train, s.Validation, s.Test} {
		require.Equal(t, []int{3, 2, 3}, d.Shape())
		// Files are listed class by class (x: even i, y: odd i), by name within a class.
		var order []int
		for _, par := range []int{0, 1} {
			for i := 0; i < d.N; i++ {
				if i%2 == par {
					order = append(order, i)
				}
			}
		}
		for k, i := range order {
			for c := 0; c < 3; c++ {
				for p := 0; p < 6; p++ {
					want := pix(i, c, p/3, p%3)
					if d == s.Train && i == 1 {
						want = pix(i, 0, p/3, p%3) // the gray image, repeated on every channel
					}
					assert.Equal(t, want, d.Images[k*18+c*6+p], "image %d c%d p%d", i, c, p)
				}
			}
		}
	}
}

func writePNG(t *testing.T, path string, img image.Image) {
	t.Helper()
	require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
	var b bytes.Buffer
	require.NoError(t, png.Encode(&b, img))
	require.NoError(t, os.WriteFile(path, b.Bytes(), 0o644))
}

func TestImageFolderErrors(t *testing.T) {
	gray := func(w, h int) image.Image {
		g := image.NewGray(image.Rect(0, 0, w, h))
		for i := range g.Pix {
			g.Pix[i] = byte(i)
		}
		return g
	}
	three := func(t *testing.T, dir string, classes ...string) {
		for _, c := range classes {
			for i := 0; i < 3; i++ {
				writePNG(t, filepath.Join(dir, c, string(rune('a'+i))+".png"), gray(4, 3))
			}
		}
	}
	for _, tc := range []struct {
		name  string
		setup func(t *testing.T, dir string)
		want  string
	}{
		{"ragged", func(t *testing.T, dir string) {
			three(t, dir, "a", "b")
			writePNG(t, filepath.Join(dir, "b", "z.png"), gray(5, 3))
		}, "z.png is 5x3 (width x height) but"},
		{"empty class", func(t *testing.T, dir string) {
			three(t, dir, "a")
			require.NoError(t, os.MkdirAll(filepath.Join(dir, "b"), 0o755))
		}, "class directory " + "DIR/b is empty"},
		{"not png", func(t *testing.T, dir string) {
			three(t, dir, "a")
			require.NoError(t, os.WriteFile(filepath.Join(dir, "a", "x.jpg"), []byte{0xff, 0xd8}, 0o644))
		}, "x.jpg is not a .png file"},
		{"corrupt png", func(t *testing.T, dir string) {
			three(t, dir, "a")
			require.NoError(t, os.WriteFile(filepath.Join(dir, "a", "x.png"), []byte("\x89PNG\r\n\x1a\nxx"), 0o644))
		}, "x.png: not a readable PNG image"},
		{"file at top", func(t *testing.T, dir string) {
			three(t, dir, "a")
			require.NoError(t, os.WriteFile(filepath.Join(dir, "notes.txt"), nil, 0o644))
		}, "notes.txt is a file"},
		{"no classes", func(t *testing.T, dir string) {}, "has no class directories"},
		{"too few", func(t *testing.T, dir string) {
			three(t, dir, "a")
			writePNG(t, filepath.Join(dir, "b", "x.png"), gray(4, 3))
		}, "class b has 1 example(s)"},
		{"unknown class in test", func(t *testing.T, dir string) {
			three(t, filepath.Join(dir, "train"), "a", "b")
			three(t, filepath.Join(dir, "test"), "a", "c")
		}, "unknown class \"c\": the training part has the classes [a b]"},
		{"test missing", func(t *testing.T, dir string) {
			three(t, filepath.Join(dir, "train"), "a", "b")
		}, "not both train/ and test/"},
		{"mixed", func(t *testing.T, dir string) {
			three(t, filepath.Join(dir, "train"), "a")
			three(t, filepath.Join(dir, "test"), "a")
			three(t, dir, "b")
		}, "mixes split directories"},
		{"memory", func(t *testing.T, dir string) {
			three(t, dir, "a", "b")
			saved := MemoryLimit
			MemoryLimit = 10
			t.Cleanup(func() { MemoryLimit = saved })
		}, "above the memory limit of 10 bytes"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			tc.setup(t, dir)
			_, err := LoadImageFolder(dir, 1)
			require.Error(t, err)
			assert.Contains(t, strings.ReplaceAll(err.Error(), dir, "DIR"), tc.want)
		})
	}
	t.Run("colour model of an RGB image with alpha", func(t *testing.T) {
		dir := t.TempDir()
		three(t, dir, "a", "b")
		im := image.NewNRGBA(image.Rect(0, 0, 4, 3))
		for i := range im.Pix {
			im.Pix[i] = 200
		}
		im.Set(0, 0, color.NRGBA{R: 10, G: 20, B: 30, A: 0})
		writePNG(t, filepath.Join(dir, "b", "rgba.png"), im)
		s, err := LoadImageFolder(dir, 1)
		require.NoError(t, err)
		assert.Equal(t, 3, s.Train.C(), "one colour image makes the dataset RGB")
	})
}

func TestIDXFolder(t *testing.T) {
	write := func(t *testing.T, dir, prefix string, labels []byte, rows int) {
		px := make([]byte, len(labels)*rows*2)
		for i := range px {
			px[i] = byte(i)
		}
		var b bytes.Buffer
		require.NoError(t, WriteIDX(&b, []int{len(labels), rows, 2}, px, false))
		require.NoError(t, os.WriteFile(filepath.Join(dir, prefix+"-images-idx3-ubyte"), b.Bytes(), 0o644))
		b.Reset()
		require.NoError(t, WriteIDX(&b, []int{len(labels)}, labels, true))
		require.NoError(t, os.WriteFile(filepath.Join(dir, prefix+"-labels-idx1-ubyte.gz"), b.Bytes(), 0o644))
	}
	lab := []byte{0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2, 11, 11, 11}
	t.Run("train only: split, 12 classes", func(t *testing.T) {
		dir := t.TempDir()
		write(t, dir, "train", lab, 2)
		_, err := LoadIDXFolder(dir, 1)
		require.Error(t, err)
		assert.Contains(t, err.Error(), "class 3 has no examples")
		lab2 := []byte{0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2}
		write(t, dir, "train", lab2, 2)
		s, err := LoadIDXFolder(dir, 1)
		require.NoError(t, err)
		assert.Equal(t, 3, s.Train.Classes)
		assert.Equal(t, []int{2, 2, 2}, s.Train.ClassCounts())
		assert.Equal(t, 3, s.Test.N)
	})
	t.Run("train and test", func(t *testing.T) {
		dir := t.TempDir()
		write(t, dir, "train", []byte{0, 1, 0, 1}, 2)
		write(t, dir, "t10k", []byte{1, 0}, 2)
		s, err := LoadIDXFolder(dir, 1)
		require.NoError(t, err)
		assert.Nil(t, s.Validation)
		assert.Equal(t, []byte{1, 0}, s.Test.Labels)
		write(t, dir, "t10k", []byte{1, 5}, 2)
		_, err = LoadIDXFolder(dir, 1)
		require.Error(t, err)
		assert.Contains(t, err.Error(), "test sample 1 has the unknown label 5")
		write(t, dir, "t10k", []byte{1, 0}, 3)
		_, err = LoadIDXFolder(dir, 1)
		require.Error(t, err)
		assert.Contains(t, err.Error(), "training images are 2x2 but test images 3x2")
		require.NoError(t, os.Remove(filepath.Join(dir, "t10k-labels-idx1-ubyte.gz")))
		_, err = LoadIDXFolder(dir, 1)
		require.Error(t, err)
		assert.Contains(t, err.Error(), "neither t10k-labels-idx1-ubyte.gz nor t10k-labels-idx1-ubyte exists")
	})
	t.Run("dispatch", func(t *testing.T) {
		_, err := LoadUser("tiff", "x", 1)
		require.Error(t, err)
		assert.Contains(t, err.Error(), "want idx, npz, images")
		_, err = LoadUser(KindNPZ, "", 1)
		require.Error(t, err)
		assert.Contains(t, err.Error(), "no path given (write npz:PATH)")
	})
}

// FuzzReadNPZ: any archive gives splits or an error, never a panic, and what is returned is
// consistent (labels below the class count, image bytes matching the shape).
func FuzzReadNPZ(f *testing.F) {
	d := &Dataset{N: 6, Rows: 2, Cols: 2, Classes: 2, Labels: []byte{0, 1, 0, 1, 0, 1}, Images: make([]byte, 24)}
	var b bytes.Buffer
	require.NoError(f, WriteNPZ(&b, map[string]*Dataset{"": d}))
	f.Add(b.Bytes())
	b.Reset()
	require.NoError(f, WriteNPZ(&b, map[string]*Dataset{"_train": d, "_test": d.Subset([]int{0, 1})}))
	f.Add(b.Bytes())
	f.Add([]byte("PK\x05\x06" + strings.Repeat("\x00", 18)))
	saved := MemoryLimit
	MemoryLimit = 64 << 20
	f.Cleanup(func() { MemoryLimit = saved })
	f.Fuzz(func(t *testing.T, in []byte) {
		s, err := ReadNPZ(bytes.NewReader(in), int64(len(in)), 1)
		if err != nil {
			if s != nil {
				t.Fatalf("splits and an error: %v", err)
			}
			return
		}
		for _, d := range []*Dataset{s.Train, s.Validation, s.Test} {
			if d == nil {
				continue
			}
			if len(d.Images) != d.N*d.PixelsPerImage() || len(d.Labels) != d.N {
				t.Fatalf("inconsistent dataset: %d bytes for %d images of %v, %d labels", len(d.Images), d.N, d.Shape(), len(d.Labels))
			}
			for _, l := range d.Labels {
				if int(l) >= d.Classes {
					t.Fatalf("label %d of %d classes", l, d.Classes)
				}
			}
		}
	})
}

func TestIDXMemoryLimit(t *testing.T) {
	saved := MemoryLimit
	MemoryLimit = 100
	t.Cleanup(func() { MemoryLimit = saved })
	var b bytes.Buffer
	require.NoError(t, WriteIDX(&b, []int{2, 10, 10}, make([]byte, 200), false))
	_, err := ReadIDX(&b)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "idx: dimensions [2 10 10] needs 200 bytes")
	assert.Contains(t, err.Error(), "above the memory limit of 100 bytes")
}
