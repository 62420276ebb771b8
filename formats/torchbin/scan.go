package torchbin

import (
	"encoding/binary"
	"fmt"
)

// Pickle opcodes accepted by scan: those torch.save emits with protocols 2 to 5, plus the
// MARK-based LIST and DICT of older protocols.
const (
	opMark          = '('
	opStop          = '.'
	opPop           = '0'
	opPopMark       = '1'
	opDup           = '2'
	opBinInt        = 'J'
	opBinInt1       = 'K'
	opBinInt2       = 'M'
	opNone          = 'N'
	opBinPersID     = 'Q'
	opReduce        = 'R'
	opBinString     = 'T'
	opShortBinStr   = 'U'
	opBinUnicode    = 'X'
	opAppend        = 'a'
	opBuild         = 'b'
	opGlobal        = 'c'
	opDict          = 'd'
	opEmptyDict     = '}'
	opAppends       = 'e'
	opBinGet        = 'h'
	opLongBinGet    = 'j'
	opList          = 'l'
	opEmptyList     = ']'
	opBinPut        = 'q'
	opLongBinPut    = 'r'
	opSetItem       = 's'
	opTuple         = 't'
	opEmptyTuple    = ')'
	opSetItems      = 'u'
	opBinFloat      = 'G'
	opBinBytes      = 'B'
	opShortBinBytes = 'C'
	opProto         = 0x80
	opTuple1        = 0x85
	opTuple2        = 0x86
	opTuple3        = 0x87
	opNewTrue       = 0x88
	opNewFalse      = 0x89
	opLong1         = 0x8a
	opShortBinUni   = 0x8c
	opBinUnicode8   = 0x8d
	opBinBytes8     = 0x8e
	opStackGlobal   = 0x93
	opMemoize       = 0x94
	opFrame         = 0x95
)

// allowedGlobal reports whether module.name is one of the globals of a state dict.
func allowedGlobal(module, name string) bool {
	switch module + "." + name {
	case "collections.OrderedDict", "builtins.dict",
		"torch._utils._rebuild_tensor_v2", "torch._utils._rebuild_tensor", "torch._utils._rebuild_parameter":
		return true
	}
	_, ok := storageTypes[name]
	return ok && module == "torch"
}

// scan walks the opcodes of a pickle up to STOP without running them, as pickletools.genops
// does, and refuses what the machine must not see: an opcode outside the state-dict set, a
// length argument larger than the bytes that remain (the machine would allocate it before
// finding the pickle short), and a global outside allowedGlobal. For STACK_GLOBAL the two
// names must come from string opcodes, or from memo entries that hold strings, pushed just
// before it (as the pickler writes them), so that the names are known here.
func scan(p []byte) error {
	pos := 0
	// strs holds the values pushed since the last opcode that did anything else than push a
	// string, get a memo entry or store one; a nil entry is a value other than a string.
	var strs []*string
	memo := map[uint64]*string{}
	need := func(n uint64, what string) error {
		if n > uint64(len(p)-pos) {
			return fmt.Errorf("pickle truncated: %s of %d bytes at byte %d, %d left", what, n, pos, len(p)-pos)
		}
		return nil
	}
	uint := func(n int) (uint64, error) {
		if err := need(uint64(n), "argument"); err != nil {
			return 0, err
		}
		var b [8]byte
		copy(b[:], p[pos:pos+n])
		pos += n
		return binary.LittleEndian.Uint64(b[:]), nil
	}
	line := func() (string, error) {
		for i := pos; i < len(p); i++ {
			if p[i] == '\n' {
				s := string(p[pos:i])
				pos = i + 1
				return s, nil
			}
		}
		return "", fmt.Errorf("pickle truncated in a text argument at byte %d", pos)
	}
	top := func() *string {
		if len(strs) == 0 {
			return nil
		}
		return strs[len(strs)-1]
	}
	for {
		if pos >= len(p) {
			return fmt.Errorf("pickle ends without STOP")
		}
		at, op := pos, p[pos]
		pos++
		fail := func(err error) error { return fmt.Errorf("pickle opcode 0x%02x at byte %d: %w", op, at, err) }
		var push *string // the string this opcode pushes, if any
		pushes := false  // whether the opcode only pushes a string or a memo entry
		keep := false    // whether the opcode leaves strs as it is
		switch op {
		case opStop:
			return nil
		case opProto, opBinInt1, opBinInt2, opBinInt, opBinFloat:
			n := map[byte]int{opProto: 1, opBinInt1: 1, opBinInt2: 2, opBinInt: 4, opBinFloat: 8}[op]
			if _, err := uint(n); err != nil {
				return fail(err)
			}
		case opFrame:
			n, err := uint(8)
			if err != nil {
				return fail(err)
			}
			if err := need(n, "frame"); err != nil {
				return fail(err)
			}
			keep = true
		case opLong1:
			n, err := uint(1)
			if err != nil {
				return fail(err)
			}
			if n == 0 || n > 8 {
				return fail(fmt.Errorf("integer of %d bytes: only 1 to 8 are read", n))
			}
			if _, err := uint(int(n)); err != nil {
				return fail(err)
			}
		case opBinUnicode, opShortBinUni, opBinUnicode8, opBinString, opShortBinStr, opBinBytes, opShortBinBytes, opBinBytes8:
			width := map[byte]int{opBinUnicode: 4, opShortBinUni: 1, opBinUnicode8: 8, opBinString: 4,
				opShortBinStr: 1, opBinBytes: 4, opShortBinBytes: 1, opBinBytes8: 8}[op]
			n, err := uint(width)
			if err != nil {
				return fail(err)
			}
			if err := need(n, "string"); err != nil {
				return fail(err)
			}
			s := string(p[pos : pos+int(n)])
			pos += int(n)
			if op != opBinBytes && op != opShortBinBytes && op != opBinBytes8 {
				push = &s
			}
			pushes = true
		case opGlobal:
			mod, err := line()
			if err != nil {
				return fail(err)
			}
			name, err := line()
			if err != nil {
				return fail(err)
			}
			if !allowedGlobal(mod, name) {
				return fail(globalError(mod, name))
			}
		case opStackGlobal:
			if len(strs) < 2 || strs[len(strs)-2] == nil || strs[len(strs)-1] == nil {
				return fail(fmt.Errorf("STACK_GLOBAL whose names are not the two strings pushed before it"))
			}
			mod, name := *strs[len(strs)-2], *strs[len(strs)-1]
			if !allowedGlobal(mod, name) {
				return fail(globalError(mod, name))
			}
		case opMemoize:
			memo[uint64(len(memo))] = top()
			keep = true
		case opBinPut, opLongBinPut:
			i, err := uint(map[byte]int{opBinPut: 1, opLongBinPut: 4}[op])
			if err != nil {
				return fail(err)
			}
			memo[i] = top()
			keep = true
		case opBinGet, opLongBinGet:
			i, err := uint(map[byte]int{opBinGet: 1, opLongBinGet: 4}[op])
			if err != nil {
				return fail(err)
			}
			v, ok := memo[i]
			if !ok {
				return fail(fmt.Errorf("memo entry %d is not defined", i))
			}
			push, pushes = v, true
		case opMark, opPop, opPopMark, opDup, opNone, opNewTrue, opNewFalse, opEmptyTuple, opTuple,
			opTuple1, opTuple2, opTuple3, opEmptyList, opList, opAppend, opAppends, opEmptyDict, opDict,
			opSetItem, opSetItems, opBinPersID, opReduce, opBuild:
		default:
			return fail(fmt.Errorf("unsupported pickle opcode (this reader understands the state dicts torch.save writes)"))
		}
		switch {
		case pushes:
			strs = append(strs, push)
		case !keep:
			strs = strs[:0]
		}
	}
}
