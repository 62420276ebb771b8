// Package torchbin reads PyTorch state dicts saved by torch.save (pytorch_model.bin): a zip
// archive whose <archive>/data.pkl is a pickle of an OrderedDict of tensors and whose
// <archive>/data/<key> entries are the tensors' storages. Only the zip format of PyTorch ≥ 1.6
// is read; the legacy tar/raw format is refused with a conversion recipe.
//
// The pickle is interpreted by the pickle machine of github.com/nlpodyssey/gopickle (its
// pickle package). Its pytorch package is not used: it materialises every storage as a typed
// slice of the size the pickle declares before reading it, panics on legacy archives, lacks
// torch._utils._rebuild_parameter, and resolves any other global to a generic class. Instead
// this package supplies the machine's FindClass and PersistentLoad hooks, and before the
// machine runs it scans the pickle once (scan.go) so that untrusted input cannot reach the
// parts of gopickle that are unsafe on bad input:
//
//   - only the opcodes torch.save emits (protocols 2 to 5) are accepted, and every length
//     argument must fit in the bytes that remain, so that the machine never allocates by a
//     declared size (gopickle allocates a string, frame or integer argument before reading it);
//   - every global, whether named inline (GLOBAL) or by two strings on the stack
//     (STACK_GLOBAL), must be one of the few a state dict needs: collections.OrderedDict,
//     builtins.dict, torch._utils._rebuild_tensor_v2 (and _rebuild_tensor),
//     torch._utils._rebuild_parameter and the torch.*Storage classes. Nothing is executed:
//     these names only build plain values;
//   - the pickle is at most MaxPickle bytes, and the memory the machine may use (a few hundred
//     bytes per pickle byte at worst) is checked against the memory limit before it runs.
//
// gopickle indexes without bounds checks in a few places reachable by a malformed but
// well-framed pickle (SETITEMS with an odd number of items, a bytes key in a dict); a
// deferred recover around the machine turns such a runtime error into an error value.
// FuzzRead checks that no input panics or allocates by a declared size.
//
// Tensors are views: a storage offset, a shape and strides into a storage, all checked to lie
// inside the storage. Every storage type torch.save writes is read (Float, Half, BFloat16,
// Double, Long, Int, Short, Char, Byte and Bool storages, named here by their safetensors
// dtypes F32, F16, BF16, F64, I64, I32, I16, I8, U8, BOOL); Bytes gathers any tensor into
// row-major order and Float64 converts the floating-point ones.
package torchbin

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"maps"
	"math"
	"slices"
	"strings"

	"github.com/nlpodyssey/gopickle/pickle"
	"github.com/nlpodyssey/gopickle/types"

	"github.com/qpeft/qpeft/formats/safetensors"
	"github.com/qpeft/qpeft/internal/memlimit"
)

// MaxEntry bounds one decompressed entry of the archive (the pickle or a storage).
const MaxEntry = 1 << 34

// MaxPickle bounds the size of data.pkl. A state dict's pickle takes about 150 bytes per
// tensor, so this allows hundreds of thousands of tensors.
const MaxPickle = 64 << 20

// pickleAmplification bounds the bytes the pickle machine may allocate per pickle byte (a
// MARK allocates a 16-slot stack of interfaces, 256 bytes, for one byte of input).
const pickleAmplification = 320

// File is a state dict read from a torch.save archive. Its methods are safe for concurrent
// use.
type File struct {
	tensors map[string]*tensor
}

// TensorInfo describes one tensor of a File.
type TensorInfo struct {
	// Name is the tensor's key in the state dict.
	Name string
	// DType is the element type of its storage.
	DType safetensors.DType
	// Shape is the tensor shape; an empty shape is a scalar of one element.
	Shape []int
	// Stride is the step in elements of the storage along each dimension.
	Stride []int
	// Offset is the storage offset, in elements, of the first element.
	Offset int
}

// NumElements returns the number of elements of the tensor.
func (t TensorInfo) NumElements() int { return safetensors.NumElements(t.Shape) }

type tensor struct {
	storage *storage
	offset  int
	shape   []int
	stride  []int
	numel   int
}

type storage struct {
	dtype safetensors.DType
	key   string
	numel int
	data  []byte
}

// storageTypes maps torch storage classes to element types.
var storageTypes = map[string]safetensors.DType{
	"FloatStorage": safetensors.F32, "HalfStorage": safetensors.F16, "BFloat16Storage": safetensors.BF16,
	"DoubleStorage": safetensors.F64, "LongStorage": safetensors.I64, "IntStorage": safetensors.I32,
	"ShortStorage": safetensors.I16, "CharStorage": safetensors.I8, "ByteStorage": safetensors.U8,
	"BoolStorage": safetensors.BOOL,
}

// Open reads the torch.save archive at path.
func Open(path string) (*File, error) {
	zr, err := zip.OpenReader(path)
	switch {
	case errors.Is(err, zip.ErrFormat) || errors.Is(err, zip.ErrAlgorithm) || errors.Is(err, zip.ErrChecksum):
		return nil, fmt.Errorf("torchbin: %s: not a torch.save zip archive (%v): only the zip format of PyTorch ≥ 1.6 is read; re-save it with a recent torch (torch.save(torch.load(path), path))", path, err)
	case err != nil:
		return nil, fmt.Errorf("torchbin: %w", err)
	}
	defer zr.Close()
	f, err := read(&zr.Reader)
	if err != nil {
		return nil, fmt.Errorf("torchbin: %s: %w", path, err)
	}
	return f, nil
}

// Read reads a torch.save archive of size bytes from r.
func Read(r io.ReaderAt, size int64) (*File, error) {
	zr, err := zip.NewReader(r, size)
	if err != nil {
		return nil, fmt.Errorf("torchbin: not a torch.save zip archive (%v): only the zip format of PyTorch ≥ 1.6 is read", err)
	}
	f, err := read(zr)
	if err != nil {
		return nil, fmt.Errorf("torchbin: %w", err)
	}
	return f, nil
}

func readEntry(f *zip.File, limit uint64) ([]byte, error) {
	if f.UncompressedSize64 > limit {
		return nil, fmt.Errorf("archive entry %s is %d bytes, more than the %d read", f.Name, f.UncompressedSize64, limit)
	}
	rc, err := f.Open()
	if err != nil {
		return nil, fmt.Errorf("archive entry %s: %w", f.Name, err)
	}
	defer rc.Close()
	b, err := io.ReadAll(io.LimitReader(rc, int64(f.UncompressedSize64)+1))
	if err != nil {
		return nil, fmt.Errorf("archive entry %s: %w", f.Name, err)
	}
	if uint64(len(b)) != f.UncompressedSize64 {
		return nil, fmt.Errorf("archive entry %s: %d bytes, the directory says %d", f.Name, len(b), f.UncompressedSize64)
	}
	return b, nil
}

func read(zr *zip.Reader) (*File, error) {
	files := map[string]*zip.File{}
	var pkl *zip.File
	for _, f := range zr.File {
		files[f.Name] = f
		if strings.HasSuffix(f.Name, "/data.pkl") && strings.Count(f.Name, "/") == 1 {
			pkl = f
		}
	}
	if pkl == nil {
		return nil, fmt.Errorf("no <archive>/data.pkl entry: not a torch.save archive")
	}
	prefix := strings.TrimSuffix(pkl.Name, "data.pkl")
	if bo, ok := files[prefix+"byteorder"]; ok {
		b, err := readEntry(bo, 64)
		if err != nil {
			return nil, err
		}
		if s := strings.TrimSpace(string(b)); s != "little" {
			return nil, fmt.Errorf("byteorder is %q; only little-endian archives are read", s)
		}
	}
	raw, err := readEntry(pkl, MaxPickle)
	if err != nil {
		return nil, err
	}
	storages := map[string]*storage{}
	root, err := unpickle(raw, storages)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", pkl.Name, err)
	}
	f := &File{tensors: map[string]*tensor{}}
	err = eachItem(root, func(k, v any) error {
		name, ok := k.(string)
		if !ok {
			return fmt.Errorf("state dict key is a %s, not a string", pyType(k))
		}
		t, ok := v.(*tensor)
		if !ok {
			return fmt.Errorf("state dict entry %q is a %s, not a tensor", name, pyType(v))
		}
		f.tensors[name] = t
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", pkl.Name, err)
	}
	keys := slices.Sorted(maps.Keys(storages))
	for _, key := range keys {
		s := storages[key]
		e, ok := files[prefix+"data/"+key]
		if !ok {
			return nil, fmt.Errorf("storage %s: archive entry %sdata/%s is missing", key, prefix, key)
		}
		if s.data, err = readEntry(e, MaxEntry); err != nil {
			return nil, err
		}
		if need := s.numel * s.dtype.Size(); len(s.data) < need {
			return nil, fmt.Errorf("storage %s: %d bytes, %d elements of %s need %d: file truncated?", key, len(s.data), s.numel, s.dtype, need)
		}
	}
	for name, t := range f.tensors {
		if err := t.check(); err != nil {
			return nil, fmt.Errorf("tensor %s: %w", name, err)
		}
	}
	return f, nil
}

// eachItem calls fn on the items of the state dict root in order.
func eachItem(root any, fn func(k, v any) error) error {
	switch d := root.(type) {
	case *types.OrderedDict:
		for e := d.List.Front(); e != nil; e = e.Next() {
			entry := e.Value.(*types.OrderedDictEntry)
			if err := fn(entry.Key, entry.Value); err != nil {
				return err
			}
		}
		return nil
	case *types.Dict:
		for _, entry := range *d {
			if err := fn(entry.Key, entry.Value); err != nil {
				return err
			}
		}
		return nil
	}
	return fmt.Errorf("the pickle holds a %s, not a state dict", pyType(root))
}

// check verifies that every element the view addresses lies inside its storage, and counts
// the elements. Sizes and strides are below 2^31 and storages below MaxEntry elements, so
// keeping the last address below the storage size at every step cannot overflow.
func (t *tensor) check() error {
	if len(t.shape) != len(t.stride) {
		return fmt.Errorf("shape %v and stride %v differ in rank", t.shape, t.stride)
	}
	if t.offset < 0 {
		return fmt.Errorf("negative storage offset %d", t.offset)
	}
	numel := 1
	for i, d := range t.shape {
		if d < 0 || t.stride[i] < 0 {
			return fmt.Errorf("negative size or stride (%v, %v)", t.shape, t.stride)
		}
		if d == 0 {
			numel = 0
		} else if numel > 0 {
			if numel > math.MaxInt64/d {
				return fmt.Errorf("shape %v has too many elements", t.shape)
			}
			numel *= d
		}
	}
	t.numel = numel
	if numel == 0 {
		return nil
	}
	last := t.offset
	for i, d := range t.shape {
		if last >= t.storage.numel {
			break
		}
		last += (d - 1) * t.stride[i]
	}
	if last >= t.storage.numel {
		return fmt.Errorf("view (offset %d, shape %v, stride %v) reaches past the storage of %d elements", t.offset, t.shape, t.stride, t.storage.numel)
	}
	return nil
}

// Names returns the tensor names, sorted.
func (f *File) Names() []string {
	return slices.Sorted(maps.Keys(f.tensors))
}

// Len returns the number of tensors.
func (f *File) Len() int { return len(f.tensors) }

// Info describes the tensor called name.
func (f *File) Info(name string) (TensorInfo, bool) {
	t, ok := f.tensors[name]
	if !ok {
		return TensorInfo{}, false
	}
	return TensorInfo{Name: name, DType: t.storage.dtype, Shape: append([]int{}, t.shape...),
		Stride: append([]int{}, t.stride...), Offset: t.offset}, true
}

func (f *File) lookup(name string) (*tensor, error) {
	t, ok := f.tensors[name]
	if !ok {
		return nil, fmt.Errorf("torchbin: no tensor %q", name)
	}
	return t, nil
}

// checkMemory refuses to allocate more than the process-wide memory limit.
func checkMemory(what string, bytes float64) error {
	if lim := memlimit.Default(); bytes > float64(lim) {
		return fmt.Errorf("torchbin: %s need %.0f bytes, above the memory limit of %d bytes (raise QPEFT_MEMORY_LIMIT)", what, bytes, lim)
	}
	return nil
}

// each calls fn with the storage element index of every element of t in row-major order.
func (t *tensor) each(fn func(i, pos int)) {
	idx := make([]int, len(t.shape))
	for i := 0; i < t.numel; i++ {
		pos := t.offset
		for k, v := range idx {
			pos += v * t.stride[k]
		}
		fn(i, pos)
		for k := len(idx) - 1; k >= 0; k-- {
			idx[k]++
			if idx[k] < t.shape[k] {
				break
			}
			idx[k] = 0
		}
	}
}

// Bytes returns the elements of the tensor called name in row-major order, little-endian,
// as a safetensors file would hold them (strides and offset applied).
func (f *File) Bytes(name string) ([]byte, error) {
	t, err := f.lookup(name)
	if err != nil {
		return nil, err
	}
	size := t.storage.dtype.Size()
	if err := checkMemory(fmt.Sprintf("tensor %q's %d elements", name, t.numel), float64(t.numel)*float64(size)); err != nil {
		return nil, err
	}
	out := make([]byte, t.numel*size)
	b := t.storage.data
	t.each(func(i, pos int) { copy(out[i*size:(i+1)*size], b[pos*size:(pos+1)*size]) })
	return out, nil
}

// Float64 returns the elements of the floating-point tensor called name (F16, BF16, F32 or
// F64) in row-major order, converted to float64.
func (f *File) Float64(name string) ([]float64, error) {
	t, err := f.lookup(name)
	if err != nil {
		return nil, err
	}
	var conv func(b []byte, pos int) float64
	switch t.storage.dtype {
	case safetensors.F32:
		conv = func(b []byte, pos int) float64 {
			return float64(math.Float32frombits(binary.LittleEndian.Uint32(b[4*pos:])))
		}
	case safetensors.F16:
		conv = func(b []byte, pos int) float64 {
			return float64(safetensors.F16ToFloat32(binary.LittleEndian.Uint16(b[2*pos:])))
		}
	case safetensors.BF16:
		conv = func(b []byte, pos int) float64 {
			return float64(safetensors.BF16ToFloat32(binary.LittleEndian.Uint16(b[2*pos:])))
		}
	case safetensors.F64:
		conv = func(b []byte, pos int) float64 { return math.Float64frombits(binary.LittleEndian.Uint64(b[8*pos:])) }
	default:
		return nil, fmt.Errorf("torchbin: tensor %q has dtype %s; only F16, BF16, F32 and F64 convert to float64", name, t.storage.dtype)
	}
	if err := checkMemory(fmt.Sprintf("tensor %q's %d elements", name, t.numel), 8*float64(t.numel)); err != nil {
		return nil, err
	}
	out := make([]float64, t.numel)
	b := t.storage.data
	t.each(func(i, pos int) { out[i] = conv(b, pos) })
	return out, nil
}

// unpickle runs gopickle's machine on a scanned pickle with the hooks of a state dict.
func unpickle(raw []byte, storages map[string]*storage) (root any, err error) {
	if err := scan(raw); err != nil {
		return nil, err
	}
	if err := checkMemory("the pickle machine", float64(len(raw))*pickleAmplification); err != nil {
		return nil, err
	}
	u := pickle.NewUnpickler(bytes.NewReader(raw))
	u.FindClass = findClass
	u.PersistentLoad = func(pid any) (any, error) { return persistentLoad(pid, storages) }
	defer func() {
		if r := recover(); r != nil {
			root, err = nil, fmt.Errorf("malformed pickle (%v)", r)
		}
	}()
	return u.Load()
}

// The globals the machine resolves through FindClass (collections.OrderedDict and
// builtins.dict are gopickle's own, allowed by the scan).
type (
	storageClass  struct{ dtype safetensors.DType }
	rebuildTensor struct{}
	rebuildParam  struct{}
)

func findClass(module, name string) (any, error) {
	switch module + "." + name {
	case "torch._utils._rebuild_tensor_v2", "torch._utils._rebuild_tensor":
		return rebuildTensor{}, nil
	case "torch._utils._rebuild_parameter":
		return rebuildParam{}, nil
	}
	if dt, ok := storageTypes[name]; ok && module == "torch" {
		return storageClass{dt}, nil
	}
	return nil, globalError(module, name)
}

func globalError(module, name string) error {
	return fmt.Errorf("global %s.%s is not allowed: this reader only rebuilds state dicts of tensors", module, name)
}

// persistentLoad resolves a persistent id ('storage', torch.XStorage, key, location, numel).
func persistentLoad(pid any, storages map[string]*storage) (any, error) {
	t, ok := pid.(*types.Tuple)
	if !ok || t.Len() != 5 || t.Get(0) != "storage" {
		return nil, fmt.Errorf("persistent id (a %s) is not a torch storage reference", pyType(pid))
	}
	c, ok := t.Get(1).(storageClass)
	if !ok {
		return nil, fmt.Errorf("storage type (a %s) is not a torch storage class", pyType(t.Get(1)))
	}
	key, ok1 := t.Get(2).(string)
	numel, ok2 := t.Get(4).(int)
	if !ok1 || !ok2 || numel < 0 || numel > MaxEntry {
		return nil, fmt.Errorf("storage reference: bad key (a %s) or size (a %s)", pyType(t.Get(2)), pyType(t.Get(4)))
	}
	if s, ok := storages[key]; ok {
		if s.dtype != c.dtype || s.numel != numel {
			return nil, fmt.Errorf("storage %s referenced with different types or sizes", key)
		}
		return s, nil
	}
	s := &storage{dtype: c.dtype, key: key, numel: numel}
	storages[key] = s
	return s, nil
}

func ints(v any, what string) ([]int, error) {
	t, ok := v.(*types.Tuple)
	if !ok {
		return nil, fmt.Errorf("%s is a %s, not a tuple", what, pyType(v))
	}
	out := make([]int, t.Len())
	for i := range out {
		n, ok := t.Get(i).(int)
		if !ok || n < 0 || n > math.MaxInt32 {
			return nil, fmt.Errorf("%s entry %d is not a size", what, i)
		}
		out[i] = n
	}
	return out, nil
}

// Call rebuilds a tensor: (storage, storage_offset, size, stride, …).
func (rebuildTensor) Call(a ...any) (any, error) {
	if len(a) < 4 {
		return nil, fmt.Errorf("_rebuild_tensor_v2 with %d arguments", len(a))
	}
	s, ok := a[0].(*storage)
	if !ok {
		return nil, fmt.Errorf("_rebuild_tensor_v2: argument 0 is a %s, not a storage", pyType(a[0]))
	}
	off, ok := a[1].(int)
	if !ok {
		return nil, fmt.Errorf("_rebuild_tensor_v2: storage offset is a %s", pyType(a[1]))
	}
	shape, err := ints(a[2], "size")
	if err != nil {
		return nil, err
	}
	stride, err := ints(a[3], "stride")
	if err != nil {
		return nil, err
	}
	return &tensor{storage: s, offset: off, shape: shape, stride: stride}, nil
}

// Call unwraps a parameter: (tensor, requires_grad, backward_hooks).
func (rebuildParam) Call(a ...any) (any, error) {
	if len(a) < 1 {
		return nil, errors.New("_rebuild_parameter without arguments")
	}
	if _, ok := a[0].(*tensor); !ok {
		return nil, fmt.Errorf("_rebuild_parameter of a %s", pyType(a[0]))
	}
	return a[0], nil
}

// pyType names the Python type of a value the machine built. It never formats the value
// itself: pickled containers may be cyclic.
func pyType(v any) string {
	switch v.(type) {
	case nil:
		return "None"
	case bool:
		return "bool"
	case int:
		return "int"
	case float64:
		return "float"
	case string:
		return "str"
	case []byte:
		return "bytes"
	case *types.Tuple:
		return "tuple"
	case *types.List:
		return "list"
	case *types.Dict:
		return "dict"
	case *types.OrderedDict:
		return "OrderedDict"
	case *tensor:
		return "tensor"
	case *storage:
		return "storage"
	case storageClass:
		return "storage class"
	case rebuildTensor, rebuildParam, *types.OrderedDictClass:
		return "function"
	}
	return fmt.Sprintf("%T", v)
}
