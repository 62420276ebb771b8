package bert

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"sort"
	"strings"

	"github.com/qpeft/qpeft/formats/safetensors"
)

// torchBin is a PyTorch state dict read from a torch.save zip archive (the format of
// pytorch_model.bin since PyTorch 1.6): archive/data.pkl, a pickle of an OrderedDict of
// tensors whose storages are the entries archive/data/<key>.
//
// The pickle is interpreted by a restricted machine that builds plain values only: the one
// callable it honours are collections.OrderedDict, torch._utils._rebuild_tensor_v2 and
// torch._utils._rebuild_parameter; any other global is an error. Nothing is executed.
type torchBin struct {
	tensors map[string]*torchTensor
}

type torchTensor struct {
	dtype   string // safetensors name: F32, F16, BF16, F64, I64, …
	storage *torchStorage
	offset  int
	shape   []int
	stride  []int
}

type torchStorage struct {
	dtype string
	key   string
	numel int
	data  []byte
}

// torch storage classes and their element types.
var torchStorageTypes = map[string]string{
	"FloatStorage": "F32", "HalfStorage": "F16", "BFloat16Storage": "BF16", "DoubleStorage": "F64",
	"LongStorage": "I64", "IntStorage": "I32", "ShortStorage": "I16", "CharStorage": "I8",
	"ByteStorage": "U8", "BoolStorage": "BOOL",
}

// maxBinEntry bounds one decompressed entry of the archive (pickle or storage).
const maxBinEntry = 1 << 34

func openTorchBin(path string) (*torchBin, error) {
	zr, err := zip.OpenReader(path)
	if err != nil {
		return nil, fmt.Errorf("not a torch.save zip archive (%v): only the zip format of PyTorch ≥ 1.6 is read", err)
	}
	defer zr.Close()
	return readTorchZip(&zr.Reader)
}

func readEntry(f *zip.File) ([]byte, error) {
	if f.UncompressedSize64 > maxBinEntry {
		return nil, fmt.Errorf("archive entry %s is %d bytes, too large", f.Name, f.UncompressedSize64)
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

func readTorchZip(zr *zip.Reader) (*torchBin, error) {
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
		b, err := readEntry(bo)
		if err != nil {
			return nil, err
		}
		if s := strings.TrimSpace(string(b)); s != "little" {
			return nil, fmt.Errorf("byteorder is %q; only little-endian archives are read", s)
		}
	}
	raw, err := readEntry(pkl)
	if err != nil {
		return nil, err
	}
	u := &unpickler{r: bytes.NewReader(raw), memo: map[int]any{}, storages: map[string]*torchStorage{}}
	root, err := u.run()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", pkl.Name, err)
	}
	d, ok := root.(*pyDict)
	if !ok {
		return nil, fmt.Errorf("%s: the pickle holds a %s, not a state dict", pkl.Name, pyType(root))
	}
	tb := &torchBin{tensors: map[string]*torchTensor{}}
	for i, k := range d.keys {
		name, ok := k.(string)
		if !ok {
			return nil, fmt.Errorf("%s: state dict key %d is a %s, not a string", pkl.Name, i, pyType(k))
		}
		t, ok := d.vals[i].(*torchTensor)
		if !ok {
			return nil, fmt.Errorf("%s: state dict entry %q is a %s, not a tensor", pkl.Name, name, pyType(d.vals[i]))
		}
		tb.tensors[name] = t
	}
	for key, s := range u.storages {
		f, ok := files[prefix+"data/"+key]
		if !ok {
			return nil, fmt.Errorf("storage %s: archive entry %sdata/%s is missing", key, prefix, key)
		}
		if s.data, err = readEntry(f); err != nil {
			return nil, err
		}
		dt, _ := safetensors.ParseDType(s.dtype)
		if need := s.numel * dt.Size(); len(s.data) < need {
			return nil, fmt.Errorf("storage %s: %d bytes, %d elements of %s need %d: file truncated?", key, len(s.data), s.numel, s.dtype, need)
		}
	}
	for name, t := range tb.tensors {
		if err := t.check(); err != nil {
			return nil, fmt.Errorf("tensor %s: %w", name, err)
		}
	}
	return tb, nil
}

// check verifies that every element the view addresses lies inside its storage.
func (t *torchTensor) check() error {
	if len(t.shape) != len(t.stride) {
		return fmt.Errorf("shape %v and stride %v differ in rank", t.shape, t.stride)
	}
	last := t.offset
	if t.offset < 0 {
		return fmt.Errorf("negative storage offset %d", t.offset)
	}
	for i, d := range t.shape {
		if d < 0 || t.stride[i] < 0 {
			return fmt.Errorf("negative size or stride (%v, %v)", t.shape, t.stride)
		}
		if d == 0 {
			return nil
		}
		last += (d - 1) * t.stride[i]
	}
	if last >= t.storage.numel {
		return fmt.Errorf("view (offset %d, shape %v, stride %v) reaches element %d of a storage of %d", t.offset, t.shape, t.stride, last, t.storage.numel)
	}
	return nil
}

func (tb *torchBin) names() []string {
	out := make([]string, 0, len(tb.tensors))
	for k := range tb.tensors {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func (tb *torchBin) info(name string) (string, []int, error) {
	t, ok := tb.tensors[name]
	if !ok {
		return "", nil, fmt.Errorf("no tensor %q", name)
	}
	return t.dtype, append([]int(nil), t.shape...), nil
}

func (tb *torchBin) float64s(name string) ([]float64, error) {
	t, ok := tb.tensors[name]
	if !ok {
		return nil, fmt.Errorf("no tensor %q", name)
	}
	n := 1
	for _, d := range t.shape {
		n *= d
	}
	out := make([]float64, n)
	idx := make([]int, len(t.shape))
	b := t.storage.data
	for i := range out {
		pos := t.offset
		for k, v := range idx {
			pos += v * t.stride[k]
		}
		switch t.dtype {
		case "F32":
			out[i] = float64(math.Float32frombits(binary.LittleEndian.Uint32(b[4*pos:])))
		case "F16":
			out[i] = float64(safetensors.F16ToFloat32(binary.LittleEndian.Uint16(b[2*pos:])))
		case "BF16":
			out[i] = float64(safetensors.BF16ToFloat32(binary.LittleEndian.Uint16(b[2*pos:])))
		case "F64":
			out[i] = math.Float64frombits(binary.LittleEndian.Uint64(b[8*pos:]))
		default:
			return nil, fmt.Errorf("tensor %q has dtype %s; only F16, BF16, F32 and F64 convert to float", name, t.dtype)
		}
		for k := len(idx) - 1; k >= 0; k-- {
			idx[k]++
			if idx[k] < t.shape[k] {
				break
			}
			idx[k] = 0
		}
	}
	return out, nil
}

// Python values built by the unpickler.
type (
	pyGlobal struct{ module, name string }
	pyTuple  []any
	pyList   struct{ items []any }
	pyDict   struct {
		keys, vals []any
	}
	pyMark struct{}
)

func pyType(v any) string {
	switch v := v.(type) {
	case nil:
		return "None"
	case bool:
		return "bool"
	case int64:
		return "int"
	case float64:
		return "float"
	case string:
		return "str"
	case []byte:
		return "bytes"
	case pyTuple:
		return "tuple"
	case *pyList:
		return "list"
	case *pyDict:
		return "dict"
	case *pyGlobal:
		return v.module + "." + v.name
	case *torchTensor:
		return "tensor"
	case *torchStorage:
		return "storage"
	}
	return fmt.Sprintf("%T", v)
}

func (d *pyDict) set(k, v any) {
	for i, old := range d.keys {
		if old == k {
			d.vals[i] = v
			return
		}
	}
	d.keys = append(d.keys, k)
	d.vals = append(d.vals, v)
}

// unpickler is a restricted pickle machine (protocols 2–5, the opcodes torch.save emits).
type unpickler struct {
	r        *bytes.Reader
	stack    []any
	memo     map[int]any
	storages map[string]*torchStorage
}

const maxPickleStack = 1 << 20

func (u *unpickler) push(v any) error {
	if len(u.stack) >= maxPickleStack {
		return fmt.Errorf("pickle stack exceeds %d entries", maxPickleStack)
	}
	u.stack = append(u.stack, v)
	return nil
}

func (u *unpickler) pop() (any, error) {
	if len(u.stack) == 0 {
		return nil, fmt.Errorf("pickle stack underflow")
	}
	v := u.stack[len(u.stack)-1]
	u.stack = u.stack[:len(u.stack)-1]
	if _, ok := v.(pyMark); ok {
		return nil, fmt.Errorf("unexpected MARK on the pickle stack")
	}
	return v, nil
}

// popMark pops everything down to the topmost MARK and returns it in order.
func (u *unpickler) popMark() ([]any, error) {
	for i := len(u.stack) - 1; i >= 0; i-- {
		if _, ok := u.stack[i].(pyMark); ok {
			items := append([]any(nil), u.stack[i+1:]...)
			u.stack = u.stack[:i]
			return items, nil
		}
	}
	return nil, fmt.Errorf("no MARK on the pickle stack")
}

func (u *unpickler) top() (any, error) {
	if len(u.stack) == 0 {
		return nil, fmt.Errorf("pickle stack underflow")
	}
	return u.stack[len(u.stack)-1], nil
}

func (u *unpickler) n(k int) ([]byte, error) {
	if k < 0 || k > u.r.Len() {
		return nil, fmt.Errorf("pickle truncated (need %d bytes, %d left)", k, u.r.Len())
	}
	b := make([]byte, k)
	_, _ = io.ReadFull(u.r, b)
	return b, nil
}

func (u *unpickler) uint(k int) (uint64, error) {
	b, err := u.n(k)
	if err != nil {
		return 0, err
	}
	var v uint64
	for i := k - 1; i >= 0; i-- {
		v = v<<8 | uint64(b[i])
	}
	return v, nil
}

func (u *unpickler) line() (string, error) {
	var b []byte
	for {
		c, err := u.r.ReadByte()
		if err != nil {
			return "", fmt.Errorf("pickle truncated in a text argument")
		}
		if c == '\n' {
			return string(b), nil
		}
		if len(b) > 1<<16 {
			return "", fmt.Errorf("pickle text argument too long")
		}
		b = append(b, c)
	}
}

func (u *unpickler) run() (any, error) {
	for {
		pos := int(u.r.Size()) - u.r.Len()
		op, err := u.r.ReadByte()
		if err != nil {
			return nil, fmt.Errorf("pickle ends without STOP")
		}
		if err := u.step(op); err != nil {
			if err == errStop {
				return u.pop()
			}
			return nil, fmt.Errorf("pickle opcode 0x%02x at byte %d: %w", op, pos, err)
		}
	}
}

var errStop = fmt.Errorf("stop")

func (u *unpickler) step(op byte) error {
	switch op {
	case 0x80: // PROTO
		_, err := u.n(1)
		return err
	case 0x95: // FRAME
		_, err := u.n(8)
		return err
	case '.': // STOP
		return errStop
	case '(': // MARK
		return u.push(pyMark{})
	case '0': // POP
		_, err := u.pop()
		return err
	case '1': // POP_MARK
		_, err := u.popMark()
		return err
	case '2': // DUP
		v, err := u.top()
		if err != nil {
			return err
		}
		return u.push(v)
	case 'N':
		return u.push(nil)
	case 0x88:
		return u.push(true)
	case 0x89:
		return u.push(false)
	case 'J': // BININT
		v, err := u.uint(4)
		if err != nil {
			return err
		}
		return u.push(int64(int32(uint32(v))))
	case 'K': // BININT1
		v, err := u.uint(1)
		if err != nil {
			return err
		}
		return u.push(int64(v))
	case 'M': // BININT2
		v, err := u.uint(2)
		if err != nil {
			return err
		}
		return u.push(int64(v))
	case 0x8a: // LONG1
		k, err := u.uint(1)
		if err != nil {
			return err
		}
		if k > 8 {
			return fmt.Errorf("integer of %d bytes is too large", k)
		}
		b, err := u.n(int(k))
		if err != nil {
			return err
		}
		var v int64
		for i := len(b) - 1; i >= 0; i-- {
			v = v<<8 | int64(b[i])
		}
		if k > 0 && k < 8 && b[k-1]&0x80 != 0 {
			v -= 1 << (8 * k)
		}
		return u.push(v)
	case 'G': // BINFLOAT (big-endian)
		b, err := u.n(8)
		if err != nil {
			return err
		}
		return u.push(math.Float64frombits(binary.BigEndian.Uint64(b)))
	case 'X', 0x8c, 0x8d, 'T', 'U', 'B', 'C', 0x8e: // unicode, string and bytes
		var k uint64
		var err error
		switch op {
		case 'X', 'T', 'B':
			k, err = u.uint(4)
		case 0x8c, 'U', 'C':
			k, err = u.uint(1)
		default:
			k, err = u.uint(8)
		}
		if err != nil {
			return err
		}
		if k > uint64(u.r.Len()) {
			return fmt.Errorf("pickle truncated (string of %d bytes, %d left)", k, u.r.Len())
		}
		b, err := u.n(int(k))
		if err != nil {
			return err
		}
		if op == 'B' || op == 'C' || op == 0x8e {
			return u.push(b)
		}
		return u.push(string(b))
	case ')':
		return u.push(pyTuple{})
	case 't':
		items, err := u.popMark()
		if err != nil {
			return err
		}
		return u.push(pyTuple(items))
	case 0x85, 0x86, 0x87: // TUPLE1..3
		k := int(op-0x85) + 1
		if len(u.stack) < k {
			return fmt.Errorf("pickle stack underflow")
		}
		items := make(pyTuple, k)
		for i := k - 1; i >= 0; i-- {
			v, err := u.pop()
			if err != nil {
				return err
			}
			items[i] = v
		}
		return u.push(items)
	case ']':
		return u.push(&pyList{})
	case 'l':
		items, err := u.popMark()
		if err != nil {
			return err
		}
		return u.push(&pyList{items: items})
	case 'a', 'e': // APPEND, APPENDS
		var items []any
		if op == 'a' {
			v, err := u.pop()
			if err != nil {
				return err
			}
			items = []any{v}
		} else {
			var err error
			if items, err = u.popMark(); err != nil {
				return err
			}
		}
		t, err := u.top()
		if err != nil {
			return err
		}
		l, ok := t.(*pyList)
		if !ok {
			return fmt.Errorf("APPEND to a %s", pyType(t))
		}
		l.items = append(l.items, items...)
		return nil
	case '}':
		return u.push(&pyDict{})
	case 'd':
		items, err := u.popMark()
		if err != nil {
			return err
		}
		d := &pyDict{}
		if err := setItems(d, items); err != nil {
			return err
		}
		return u.push(d)
	case 's', 'u': // SETITEM, SETITEMS
		var items []any
		if op == 's' {
			v, err := u.pop()
			if err != nil {
				return err
			}
			k, err := u.pop()
			if err != nil {
				return err
			}
			items = []any{k, v}
		} else {
			var err error
			if items, err = u.popMark(); err != nil {
				return err
			}
		}
		t, err := u.top()
		if err != nil {
			return err
		}
		d, ok := t.(*pyDict)
		if !ok {
			return fmt.Errorf("SETITEM on a %s", pyType(t))
		}
		return setItems(d, items)
	case 'c': // GLOBAL
		mod, err := u.line()
		if err != nil {
			return err
		}
		name, err := u.line()
		if err != nil {
			return err
		}
		return u.push(&pyGlobal{mod, name})
	case 0x93: // STACK_GLOBAL
		name, err := u.pop()
		if err != nil {
			return err
		}
		mod, err := u.pop()
		if err != nil {
			return err
		}
		ms, ok1 := mod.(string)
		ns, ok2 := name.(string)
		if !ok1 || !ok2 {
			return fmt.Errorf("STACK_GLOBAL of non-strings")
		}
		return u.push(&pyGlobal{ms, ns})
	case 0x94: // MEMOIZE
		v, err := u.top()
		if err != nil {
			return err
		}
		u.memo[len(u.memo)] = v
		return nil
	case 'q', 'r': // BINPUT, LONG_BINPUT
		k := 1
		if op == 'r' {
			k = 4
		}
		i, err := u.uint(k)
		if err != nil {
			return err
		}
		v, err := u.top()
		if err != nil {
			return err
		}
		u.memo[int(i)] = v
		return nil
	case 'h', 'j': // BINGET, LONG_BINGET
		k := 1
		if op == 'j' {
			k = 4
		}
		i, err := u.uint(k)
		if err != nil {
			return err
		}
		v, ok := u.memo[int(i)]
		if !ok {
			return fmt.Errorf("memo entry %d is not defined", i)
		}
		return u.push(v)
	case 'Q': // BINPERSID
		pid, err := u.pop()
		if err != nil {
			return err
		}
		s, err := u.storage(pid)
		if err != nil {
			return err
		}
		return u.push(s)
	case 'R': // REDUCE
		args, err := u.pop()
		if err != nil {
			return err
		}
		fn, err := u.pop()
		if err != nil {
			return err
		}
		v, err := u.call(fn, args)
		if err != nil {
			return err
		}
		return u.push(v)
	case 'b': // BUILD: state on a dict (OrderedDict._metadata) is ignored
		if _, err := u.pop(); err != nil {
			return err
		}
		t, err := u.top()
		if err != nil {
			return err
		}
		if _, ok := t.(*pyDict); !ok {
			return fmt.Errorf("BUILD on a %s", pyType(t))
		}
		return nil
	}
	return fmt.Errorf("unsupported pickle opcode (this reader understands the state dicts torch.save writes)")
}

func setItems(d *pyDict, items []any) error {
	if len(items)%2 != 0 {
		return fmt.Errorf("odd number of dict items")
	}
	for i := 0; i < len(items); i += 2 {
		switch items[i].(type) {
		case string, int64, bool, nil, float64:
		default:
			return fmt.Errorf("unhashable dict key of type %s", pyType(items[i]))
		}
		d.set(items[i], items[i+1])
	}
	return nil
}

// storage resolves a persistent id ('storage', torch.XStorage, key, location, numel).
func (u *unpickler) storage(pid any) (*torchStorage, error) {
	t, ok := pid.(pyTuple)
	if !ok || len(t) != 5 || t[0] != "storage" {
		return nil, fmt.Errorf("persistent id %v is not a torch storage reference", pid)
	}
	g, ok := t[1].(*pyGlobal)
	if !ok || g.module != "torch" {
		return nil, fmt.Errorf("storage type %v is not a torch storage class", t[1])
	}
	dt, ok := torchStorageTypes[g.name]
	if !ok {
		return nil, fmt.Errorf("storage type torch.%s is not supported", g.name)
	}
	key, ok1 := t[2].(string)
	numel, ok2 := t[4].(int64)
	if !ok1 || !ok2 || numel < 0 || numel > maxBinEntry {
		return nil, fmt.Errorf("storage reference %v: bad key or size", t)
	}
	if s, ok := u.storages[key]; ok {
		if s.dtype != dt || s.numel != int(numel) {
			return nil, fmt.Errorf("storage %s referenced with different types or sizes", key)
		}
		return s, nil
	}
	s := &torchStorage{dtype: dt, key: key, numel: int(numel)}
	u.storages[key] = s
	return s, nil
}

func ints(v any, what string) ([]int, error) {
	t, ok := v.(pyTuple)
	if !ok {
		return nil, fmt.Errorf("%s is a %s, not a tuple", what, pyType(v))
	}
	out := make([]int, len(t))
	for i, x := range t {
		n, ok := x.(int64)
		if !ok || n < 0 || n > math.MaxInt32 {
			return nil, fmt.Errorf("%s entry %d is %v, not a size", what, i, x)
		}
		out[i] = int(n)
	}
	return out, nil
}

// call applies one of the allowed callables.
func (u *unpickler) call(fn, args any) (any, error) {
	g, ok := fn.(*pyGlobal)
	if !ok {
		return nil, fmt.Errorf("REDUCE on a %s", pyType(fn))
	}
	a, ok := args.(pyTuple)
	if !ok {
		return nil, fmt.Errorf("REDUCE arguments are a %s", pyType(args))
	}
	switch g.module + "." + g.name {
	case "collections.OrderedDict", "builtins.dict":
		if len(a) != 0 {
			return nil, fmt.Errorf("%s.%s with arguments is not supported", g.module, g.name)
		}
		return &pyDict{}, nil
	case "torch._utils._rebuild_tensor_v2", "torch._utils._rebuild_tensor":
		if len(a) < 4 {
			return nil, fmt.Errorf("_rebuild_tensor_v2 with %d arguments", len(a))
		}
		s, ok := a[0].(*torchStorage)
		if !ok {
			return nil, fmt.Errorf("_rebuild_tensor_v2: argument 0 is a %s, not a storage", pyType(a[0]))
		}
		off, ok := a[1].(int64)
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
		return &torchTensor{dtype: s.dtype, storage: s, offset: int(off), shape: shape, stride: stride}, nil
	case "torch._utils._rebuild_parameter":
		if len(a) < 1 {
			return nil, fmt.Errorf("_rebuild_parameter without arguments")
		}
		if _, ok := a[0].(*torchTensor); !ok {
			return nil, fmt.Errorf("_rebuild_parameter of a %s", pyType(a[0]))
		}
		return a[0], nil
	}
	return nil, fmt.Errorf("global %s.%s is not allowed: this reader only rebuilds state dicts of tensors", g.module, g.name)
}
