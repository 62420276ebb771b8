package ast

// Inspect traverses the tree rooted at node in depth-first order, calling f for each node;
// when f returns false the node's children are skipped. Nil children are not visited.
func Inspect(node Node, f func(Node) bool) {
	if node == nil || !f(node) {
		return
	}
	ex := func(e Expr) {
		if e != nil {
			Inspect(e, f)
		}
	}
	st := func(s Stmt) {
		if s != nil {
			Inspect(s, f)
		}
	}
	id := func(i *Ident) {
		if i != nil {
			Inspect(i, f)
		}
	}
	ty := func(t *TypeExpr) {
		if t != nil {
			Inspect(t, f)
		}
	}
	switch n := node.(type) {
	case *File:
		for _, s := range n.Stmts {
			st(s)
		}
	case *ParenExpr:
		ex(n.X)
	case *UnaryExpr:
		ex(n.X)
	case *BinaryExpr:
		ex(n.X)
		ex(n.Y)
	case *CallExpr:
		id(n.Fn)
		for _, a := range n.Args {
			ex(a)
		}
	case *CastExpr:
		ty(n.Type)
		ex(n.X)
	case *IndexExpr:
		ex(n.X)
		for _, a := range n.Indices {
			ex(a)
		}
	case *RangeExpr:
		ex(n.Start)
		ex(n.Step)
		ex(n.Stop)
	case *SetExpr:
		for _, a := range n.Elems {
			ex(a)
		}
	case *MeasureExpr:
		ex(n.Qubits)
	case *TypeExpr:
		ex(n.Size)
		ty(n.Elem)
		for _, d := range n.Dims {
			ex(d)
		}
	case *QubitDecl:
		id(n.Name)
		ex(n.Size)
	case *BitDecl:
		id(n.Name)
		ex(n.Size)
		ex(n.Init)
	case *ClassicalDecl:
		ty(n.Type)
		id(n.Name)
		ex(n.Init)
	case *AliasStmt:
		id(n.Name)
		ex(n.Value)
	case *GateDef:
		id(n.Name)
		for _, p := range n.Params {
			id(p)
		}
		for _, q := range n.Qubits {
			id(q)
		}
		if n.Body != nil {
			st(n.Body)
		}
	case *DefStmt:
		id(n.Name)
		for _, p := range n.Params {
			ty(p.Type)
			ex(p.Size)
			id(p.Name)
		}
		ty(n.Return)
		if n.Body != nil {
			st(n.Body)
		}
	case *GateCall:
		for _, m := range n.Mods {
			ex(m.Arg)
		}
		id(n.Name)
		for _, a := range n.Args {
			ex(a)
		}
		for _, q := range n.Qubits {
			ex(q)
		}
	case *MeasureStmt:
		if n.Measure != nil {
			Inspect(n.Measure, f)
		}
		ex(n.Target)
	case *ResetStmt:
		ex(n.Qubits)
	case *BarrierStmt:
		for _, q := range n.Qubits {
			ex(q)
		}
	case *AssignStmt:
		ex(n.Target)
		ex(n.Value)
	case *ExprStmt:
		ex(n.X)
	case *Block:
		for _, s := range n.Stmts {
			st(s)
		}
	case *IfStmt:
		ex(n.Cond)
		st(n.Then)
		st(n.Else)
	case *ForStmt:
		ty(n.Type)
		id(n.Var)
		ex(n.Values)
		st(n.Body)
	case *WhileStmt:
		ex(n.Cond)
		st(n.Body)
	case *ReturnStmt:
		ex(n.Value)
	case *BoxStmt:
		ex(n.Duration)
		if n.Body != nil {
			st(n.Body)
		}
	}
}
