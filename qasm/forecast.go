package qasm

import (
	"fmt"

	"github.com/qpeft/qpeft/qasm/ast"
	"github.com/qpeft/qpeft/qasm/parser"
)

// Forecasting operations: a loop or a broadcast whose expansion would exceed MaxOps is
// refused before any of it is built, so that a short program cannot make the reader
// allocate a million operations only to throw them away. The forecast is a lower bound on
// the operations a statement creates, computed from the syntax and the sizes of declared
// registers without evaluating anything; whatever it cannot bound (conditions, calls,
// slices, loops with computed ranges, names declared inside the loop) counts as zero, so a
// refusal is never wrong.

// satMul and satAdd saturate at limit+1, which is all a comparison with the limit needs.
func satMul(a, b, limit int64) int64 {
	if a == 0 || b == 0 {
		return 0
	}
	if a > (limit+1)/b {
		return limit + 1
	}
	return min(a*b, limit+1)
}

func satAdd(a, b, limit int64) int64 { return min(a+b, limit+1) }

// forecast bounds the operations of one statement from below; shadow holds the names
// declared inside the enclosing loop body (their sizes are unknown here).
func (l *lowerer) forecast(s ast.Stmt, sc *scope, shadow map[string]bool) int64 {
	limit := int64(l.lim.MaxOps)
	switch s := s.(type) {
	case *ast.GateCall:
		if len(s.Mods) > 0 {
			return 0
		}
		e, ok := l.gates[s.Name.Name]
		if !ok || e.bad || e.opaque || len(s.Args) != e.nparams || len(s.Qubits) != e.nqubits {
			return 0
		}
		per := int64(1)
		if e.native == nil {
			per = int64(len(e.body))
		}
		n := int64(1)
		for _, q := range s.Qubits {
			k, ok := l.operandSize(q, sc, shadow)
			if !ok {
				return 0
			}
			n = max(n, k)
		}
		return satMul(n, per, limit)
	case *ast.MeasureStmt:
		if s.Target == nil {
			return 0
		}
		k, _ := l.operandSize(s.Measure.Qubits, sc, shadow)
		return k
	case *ast.AssignStmt:
		if m, ok := s.Value.(*ast.MeasureExpr); ok {
			k, _ := l.operandSize(m.Qubits, sc, shadow)
			return k
		}
	case *ast.ResetStmt:
		k, _ := l.operandSize(s.Qubits, sc, shadow)
		return k
	case *ast.Block:
		return l.forecastList(s.Stmts, sc, shadow)
	case *ast.BoxStmt:
		if s.Duration == nil && s.Body != nil {
			return l.forecastList(s.Body.Stmts, sc, shadow)
		}
	case *ast.ForStmt:
		n, ok := literalRangeCount(s.Values)
		if !ok || stopsEarly(s.Body) {
			return 0
		}
		inner := copyShadow(shadow)
		inner[s.Var.Name] = true
		declaredIn(s.Body, inner)
		return satMul(n, l.forecast(s.Body, sc, inner), limit)
	}
	return 0
}

func (l *lowerer) forecastList(list []ast.Stmt, sc *scope, shadow map[string]bool) int64 {
	total := int64(0)
	for _, s := range list {
		if stopsEarly(s) {
			break // what follows may never run
		}
		total = satAdd(total, l.forecast(s, sc, shadow), int64(l.lim.MaxOps))
	}
	return total
}

// operandSize is the number of qubits (or bits) an operand names, when the syntax and the
// declared registers tell it without evaluating anything.
func (l *lowerer) operandSize(e ast.Expr, sc *scope, shadow map[string]bool) (int64, bool) {
	switch x := e.(type) {
	case *ast.Ident:
		if shadow[x.Name] {
			return 0, false
		}
		sym, _ := sc.lookup(x.Name)
		if sym == nil || (sym.kind != symQubits && sym.kind != symBits) {
			return 0, false
		}
		return int64(len(sym.idx)), true
	case *ast.HwQubit:
		return 1, true
	case *ast.IndexExpr:
		if len(x.Indices) != 1 {
			return 0, false
		}
		switch ix := x.Indices[0].(type) {
		case *ast.RangeExpr:
			return 0, false
		case *ast.SetExpr:
			return int64(len(ix.Elems)), len(ix.Elems) > 0
		}
		return 1, true
	case *ast.ParenExpr:
		return l.operandSize(x.X, sc, shadow)
	}
	return 0, false
}

// literalRangeCount is the length of a range [a:b] or [a:s:b] written with integer
// literals, or of a set {…}.
func literalRangeCount(e ast.Expr) (int64, bool) {
	switch v := e.(type) {
	case *ast.SetExpr:
		return int64(len(v.Elems)), true
	case *ast.RangeExpr:
		if v.Start == nil || v.Stop == nil {
			return 0, false
		}
		start, ok1 := intLiteral(v.Start)
		stop, ok2 := intLiteral(v.Stop)
		step := int64(1)
		ok3 := true
		if v.Step != nil {
			step, ok3 = intLiteral(v.Step)
		}
		if !ok1 || !ok2 || !ok3 || step == 0 {
			return 0, false
		}
		c := rangeCount(start, step, stop)
		if c > 1<<62 {
			return 1 << 62, true
		}
		return int64(c), true
	}
	return 0, false
}

// intLiteral reads an integer literal, possibly negated or parenthesised.
func intLiteral(e ast.Expr) (int64, bool) {
	switch x := e.(type) {
	case *ast.IntLit:
		v, err := parseIntLit(x.Lit)
		return v, err == nil
	case *ast.ParenExpr:
		return intLiteral(x.X)
	case *ast.UnaryExpr:
		if x.Op == ast.SUB {
			v, ok := intLiteral(x.X)
			return -v, ok
		}
	}
	return 0, false
}

// stopsEarly reports whether s may leave the enclosing loop body before its end (break,
// continue, end, return, at any depth; break and continue of nested loops are theirs, but
// counting them too only makes the bound smaller).
func stopsEarly(s ast.Stmt) bool {
	found := false
	ast.Inspect(s, func(n ast.Node) bool {
		switch n.(type) {
		case *ast.BreakStmt, *ast.ContinueStmt, *ast.EndStmt, *ast.ReturnStmt:
			found = true
		}
		return !found
	})
	return found
}

// declaredIn adds the names declared anywhere in s (aliases, variables, loop variables).
func declaredIn(s ast.Stmt, names map[string]bool) {
	ast.Inspect(s, func(n ast.Node) bool {
		switch d := n.(type) {
		case *ast.AliasStmt:
			names[d.Name.Name] = true
		case *ast.ClassicalDecl:
			names[d.Name.Name] = true
		case *ast.QubitDecl:
			names[d.Name.Name] = true
		case *ast.BitDecl:
			names[d.Name.Name] = true
		case *ast.ForStmt:
			names[d.Var.Name] = true
		}
		return true
	})
}

func copyShadow(m map[string]bool) map[string]bool {
	out := make(map[string]bool, len(m)+4)
	for k, v := range m {
		out[k] = v
	}
	return out
}

// refuseLoop refuses a loop of n iterations whose body is forecast to exceed MaxOps.
func (l *lowerer) refuseLoop(s *ast.ForStmt, sc *scope, n int64) {
	if n <= 0 {
		return
	}
	shadow := map[string]bool{s.Var.Name: true}
	declaredIn(s.Body, shadow)
	if stopsEarly(s.Body) {
		return
	}
	limit := int64(l.lim.MaxOps)
	per := l.forecast(s.Body, sc, shadow)
	total := satMul(n, per, limit)
	if per > 0 && int64(len(*l.out))+total > limit {
		what := "the circuit"
		if l.out != &l.ops {
			what = "a gate body"
		}
		if total > limit {
			l.fatal(s.From, "this loop creates at least %d operations (%d iterations of at least %d), more than %d (limit MaxOps); it was refused before unrolling it", satMul(n, per, 1<<62), n, per, l.lim.MaxOps)
			return
		}
		l.fatal(s.From, "this loop would bring %s to more than %d operations (limit MaxOps): it adds at least %d to the %d already there; it was refused before unrolling it", what, l.lim.MaxOps, total, len(*l.out))
	}
}

// refuseFlat is the forecast for a program whose top-level statements alone pass MaxOps (a
// file of more than MaxOps lines of gates): a syntax-only pass, which keeps nothing,
// counts the top-level calls of the language's and the standard libraries' gates (each
// makes at least one operation; user gates, modifiers, conditions and loops count as
// nothing, so a refusal is never wrong), and the program is refused at the call that
// passes MaxOps, before any operation is built. It runs only when the source has more than
// MaxOps semicolons. It returns the syntax errors when the file has any (they take
// precedence, as in the reading itself), the refusal, or nil.
func refuseFlat(pc parser.Config, filename string, src []byte, lim Limits) error {
	std := map[string]bool{"U": true}
	addLib := func(m map[string]string) {
		for name := range m {
			std[name] = true
		}
	}
	calls := 0
	var at ast.Pos
	started := false
	start := func(major int) {
		started = true
		if major == 2 {
			std["CX"] = true
		} else {
			addLib(stdgatesNative)
		}
	}
	_, err := pc.ParseEach(filename, src, func(s ast.Stmt) bool {
		if !started {
			if v, ok := s.(*ast.VersionStmt); ok {
				if v.Major != 2 && v.Major != 3 {
					return false // reading refuses the version itself
				}
				start(v.Major)
				return true
			}
			start(3)
		}
		switch s := s.(type) {
		case *ast.IncludeStmt:
			if s.Path == "qelib1.inc" {
				addLib(qelib1Native)
			}
		case *ast.GateCall:
			if len(s.Mods) == 0 && std[s.Name.Name] {
				calls++
				if calls > lim.MaxOps {
					at = s.From
					return false
				}
			}
		}
		return true
	})
	if err != nil {
		return err
	}
	if calls > lim.MaxOps {
		return ErrorList{{Pos: at, Msg: fmt.Sprintf("the circuit has more than %d operations (limit MaxOps): this is call %d of a standard gate; the program was refused before any operation was built", lim.MaxOps, calls)}}
	}
	return nil
}
