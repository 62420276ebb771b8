package data

import (
	"bufio"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// splitDirs are the sub-directory names that mark a folder dataset as already split.
var splitDirs = map[string]string{"train": "train", "test": "test", "val": "validation", "validation": "validation"}

// LoadImageFolder reads an image classification dataset from a directory of PNG files, one
// sub-directory per class (the layout of torchvision's ImageFolder):
//
//	DIR/<class>/<any>.png
//
// divided by a seeded stratified split ([StratifiedSplit], 80/10/10), or already split:
//
//	DIR/train/<class>/*.png, DIR/test/<class>/*.png and optionally DIR/val/<class>/*.png
//
// The classes are the sub-directory names of the training part in sorted order; the other
// parts may use only those. Images must all have the same size; they are grayscale (PNG
// gray, 8 or 16 bits, read as 8 bits) or colour (any other PNG, read as RGB with the alpha
// channel dropped); when any image is colour the whole dataset is RGB (gray images are
// repeated on the three channels). Files whose names start with '.' are skipped; any other
// file that is not a .png is an error.
func LoadImageFolder(dir string, seed uint64) (*Splits, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("data: %w", err)
	}
	parts := map[string]string{}
	others := 0
	for _, e := range ents {
		if strings.HasPrefix(e.Name(), ".") {
			continue
		}
		if p, ok := splitDirs[e.Name()]; ok && e.IsDir() {
			if prev, dup := parts[p]; dup {
				return nil, fmt.Errorf("data: %s has both %s/ and %s/; keep one validation directory", dir, prev, e.Name())
			}
			parts[p] = e.Name()
		} else {
			others++
		}
	}
	if len(parts) > 0 {
		if parts["train"] == "" || parts["test"] == "" {
			return nil, fmt.Errorf("data: %s has a %v directory but not both train/ and test/; give train/ and test/ (and optionally val/), or class directories only", dir, sortedValues(parts))
		}
		if others > 0 {
			return nil, fmt.Errorf("data: %s mixes split directories (train/, test/) with %d other entries; move the class directories into train/ and test/", dir, others)
		}
	}
	var sc scanned
	if len(parts) == 0 {
		d, err := sc.load(dir, nil)
		if err != nil {
			return nil, err
		}
		s, err := splitOne(d, seed)
		if err != nil {
			return nil, fmt.Errorf("data: %s: %w", dir, err)
		}
		return s, nil
	}
	tr, err := sc.load(filepath.Join(dir, parts["train"]), nil)
	if err != nil {
		return nil, err
	}
	s := &Splits{Train: tr, How: "given by the directories (train/, test/)"}
	if s.Test, err = sc.load(filepath.Join(dir, parts["test"]), tr.ClassNames); err != nil {
		return nil, err
	}
	if v := parts["validation"]; v != "" {
		if s.Validation, err = sc.load(filepath.Join(dir, v), tr.ClassNames); err != nil {
			return nil, err
		}
		s.How = fmt.Sprintf("given by the directories (train/, %s/, test/)", v)
	}
	// A colour image in one part makes every part colour.
	for _, d := range []*Dataset{s.Train, s.Validation, s.Test} {
		if d != nil && sc.rgb && d.Channels == 1 {
			d.Images, d.Channels = grayToRGB(d.Images, d.N, d.Rows*d.Cols), 3
		}
	}
	return s, nil
}

func sortedValues(m map[string]string) []string {
	var out []string
	for _, v := range m {
		out = append(out, v)
	}
	sort.Strings(out)
	return out
}

// scanned remembers the image size shared by every part of a folder dataset.
type scanned struct {
	first      string
	rows, cols int
	rgb        bool
}

// load reads one part: class directories of PNG files. With classes given (the training
// part's), a directory naming another class is an error.
func (sc *scanned) load(dir string, classes []string) (*Dataset, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("data: %w", err)
	}
	type file struct {
		path  string
		class int
	}
	var files []file
	var names []string
	known := map[string]int{}
	for i, c := range classes {
		known[c] = i
	}
	for _, e := range ents {
		if strings.HasPrefix(e.Name(), ".") {
			continue
		}
		p := filepath.Join(dir, e.Name())
		if !e.IsDir() {
			return nil, fmt.Errorf("data: %s is a file, but %s should hold only class directories (DIR/<class>/*.png)", p, dir)
		}
		names = append(names, e.Name())
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("data: %s has no class directories; lay the images out as %s/<class>/*.png", dir, dir)
	}
	if classes == nil {
		sort.Strings(names)
		classes = names
		if len(classes) > MaxClasses {
			return nil, fmt.Errorf("data: %s has %d class directories, more than the %d an image dataset can have", dir, len(classes), MaxClasses)
		}
		for i, c := range classes {
			known[c] = i
		}
	}
	for _, name := range names {
		c, ok := known[name]
		if !ok {
			return nil, fmt.Errorf("data: %s: unknown class %q: the training part has the classes %v (rename it, or add training images of it)", filepath.Join(dir, name), name, classes)
		}
		cdir := filepath.Join(dir, name)
		imgs, err := os.ReadDir(cdir)
		if err != nil {
			return nil, fmt.Errorf("data: %w", err)
		}
		n := 0
		for _, im := range imgs {
			if strings.HasPrefix(im.Name(), ".") {
				continue
			}
			p := filepath.Join(cdir, im.Name())
			if im.IsDir() || !strings.EqualFold(filepath.Ext(im.Name()), ".png") {
				return nil, fmt.Errorf("data: %s is not a .png file; a class directory holds PNG images only (convert other formats to PNG)", p)
			}
			files = append(files, file{p, c})
			n++
		}
		if n == 0 {
			return nil, fmt.Errorf("data: class directory %s is empty; every class needs images (remove it or add some)", cdir)
		}
	}
	// Sizes first (headers only), so that a mismatch or the memory need is known before
	// any pixel is decoded.
	for _, f := range files {
		cfg, err := pngConfig(f.path)
		if err != nil {
			return nil, err
		}
		if sc.first == "" {
			sc.first, sc.rows, sc.cols = f.path, cfg.Height, cfg.Width
		} else if cfg.Height != sc.rows || cfg.Width != sc.cols {
			return nil, fmt.Errorf("data: %s is %dx%d (width x height) but %s is %dx%d; every image must have the same size (resize them)", f.path, cfg.Width, cfg.Height, sc.first, sc.cols, sc.rows)
		}
		if !isGray(cfg.ColorModel) {
			sc.rgb = true
		}
	}
	ch := 1
	if sc.rgb {
		ch = 3
	}
	px := ch * sc.rows * sc.cols
	if err := CheckMemory(fmt.Sprintf("data: %s: %d images of %dx%dx%d", dir, len(files), ch, sc.rows, sc.cols), float64(len(files))*float64(px)); err != nil {
		return nil, err
	}
	d := &Dataset{N: len(files), Rows: sc.rows, Cols: sc.cols, Channels: ch, Classes: len(classes), ClassNames: classes,
		Images: make([]byte, len(files)*px), Labels: make([]byte, len(files))}
	for i, f := range files {
		if err := decodePNG(f.path, sc.rows, sc.cols, ch, d.Images[i*px:(i+1)*px]); err != nil {
			return nil, err
		}
		d.Labels[i] = byte(f.class)
	}
	return d, nil
}

func isGray(m color.Model) bool { return m == color.GrayModel || m == color.Gray16Model }

func pngConfig(path string) (image.Config, error) {
	f, err := os.Open(path)
	if err != nil {
		return image.Config{}, fmt.Errorf("data: %w", err)
	}
	defer f.Close()
	cfg, err := png.DecodeConfig(bufio.NewReader(f))
	if err != nil {
		return cfg, fmt.Errorf("data: %s: not a readable PNG image: %w", path, err)
	}
	if cfg.Width < 1 || cfg.Height < 1 || int64(cfg.Width)*int64(cfg.Height) > MaxIDXBytes {
		return cfg, fmt.Errorf("data: %s: image size %dx%d is not usable", path, cfg.Width, cfg.Height)
	}
	return cfg, nil
}

// decodePNG decodes one image into dst as ch channels (1: gray, 3: RGB), channel-major.
func decodePNG(path string, rows, cols, ch int, dst []byte) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("data: %w", err)
	}
	defer f.Close()
	img, err := png.Decode(bufio.NewReader(f))
	if err != nil {
		return fmt.Errorf("data: %s: %w", path, err)
	}
	b := img.Bounds()
	if b.Dx() != cols || b.Dy() != rows {
		return fmt.Errorf("data: %s is %dx%d, not %dx%d", path, b.Dx(), b.Dy(), cols, rows)
	}
	hw := rows * cols
	for y := 0; y < rows; y++ {
		for x := 0; x < cols; x++ {
			c := img.At(b.Min.X+x, b.Min.Y+y)
			p := y*cols + x
			if g, ok := c.(color.Gray); ok {
				for k := 0; k < ch; k++ {
					dst[k*hw+p] = g.Y
				}
				continue
			}
			if ch == 1 {
				dst[p] = color.GrayModel.Convert(c).(color.Gray).Y
				continue
			}
			// Straight (not premultiplied) colour: the alpha channel is dropped.
			n := color.NRGBAModel.Convert(c).(color.NRGBA)
			dst[p], dst[hw+p], dst[2*hw+p] = n.R, n.G, n.B
		}
	}
	return nil
}

// grayToRGB repeats each gray image on three channels.
func grayToRGB(gray []byte, n, hw int) []byte {
	out := make([]byte, 3*len(gray))
	for i := 0; i < n; i++ {
		src := gray[i*hw : (i+1)*hw]
		for c := 0; c < 3; c++ {
			copy(out[(3*i+c)*hw:(3*i+c+1)*hw], src)
		}
	}
	return out
}

// LoadIDXFolder reads a user's image classification dataset in the MNIST file layout:
// train-images-idx3-ubyte and train-labels-idx1-ubyte (each optionally .gz), with
// t10k-images-idx3-ubyte and t10k-labels-idx1-ubyte as the test split when present; without
// them the training files are divided by a seeded stratified split (80/10/10). Unlike
// [LoadDir] the number of classes is not fixed at 10: it is 1 + the largest training label,
// and every class needs training examples.
func LoadIDXFolder(dir string, seed uint64) (*Splits, error) {
	find := func(split Split, kind string) (string, string) {
		base := filepath.Join(dir, fmt.Sprintf("%s-%s-ubyte", split.prefix(), kind))
		for _, c := range []string{base + ".gz", base} {
			if st, err := os.Stat(c); err == nil && !st.IsDir() {
				return c, base
			}
		}
		return "", base
	}
	read := func(split Split) (*Dataset, error) {
		var xs [2]*IDX
		for i, kind := range []string{"images-idx3", "labels-idx1"} {
			p, base := find(split, kind)
			if p == "" {
				return nil, fmt.Errorf("data: %s split of %s: neither %s.gz nor %s exists", split, dir, filepath.Base(base), filepath.Base(base))
			}
			x, err := ReadIDXFile(p)
			if err != nil {
				return nil, fmt.Errorf("data: %w", err)
			}
			xs[i] = x
		}
		d, err := NewDataset(xs[0], xs[1], MaxClasses)
		if err != nil {
			return nil, fmt.Errorf("data: %s: %s split: %w", dir, split, err)
		}
		return d, nil
	}
	tr, err := read(Train)
	if err != nil {
		return nil, err
	}
	classes := 0
	for _, l := range tr.Labels {
		classes = max(classes, int(l)+1)
	}
	tr.Classes = classes
	ti, _ := find(Test, "images-idx3")
	tl, _ := find(Test, "labels-idx1")
	if ti == "" && tl == "" {
		s, err := splitOne(tr, seed)
		if err != nil {
			return nil, fmt.Errorf("data: %s: %w", dir, err)
		}
		return s, nil
	}
	te, err := read(Test)
	if err != nil {
		return nil, err
	}
	if te.Rows != tr.Rows || te.Cols != tr.Cols {
		return nil, fmt.Errorf("data: %s: training images are %dx%d but test images %dx%d; every split needs the same image size", dir, tr.Rows, tr.Cols, te.Rows, te.Cols)
	}
	te.Classes = classes
	for i, l := range te.Labels {
		if int(l) >= classes {
			return nil, fmt.Errorf("data: %s: test sample %d has the unknown label %d: the training labels are 0..%d (relabel, or add training examples of class %d)", dir, i, l, classes-1, l)
		}
	}
	s := &Splits{Train: tr, Test: te, How: "given by the files (train-*, t10k-*)"}
	if err := s.checkClasses("data: " + dir + ": training labels"); err != nil {
		return nil, err
	}
	return s, nil
}
