// Package peft implements parameter-efficient fine-tuning adapters on frozen linear layers:
// Quantum-PEFT (ΔW = U·diag(λ)·Vᵀ with U, V the first K columns of orthogonal matrices made by
// quantum circuits, method.md), the LoRA baseline (ΔW = (α/r)·B·A) and an AdaLoRA-style
// baseline (free U, Λ, V with an orthogonality penalty), all behind one [Adapter] interface so
// that every comparison runs the same layer code.
//
// # The adapted layer
//
// [Linear] is a frozen weight W0 (out × in, PyTorch nn.Linear convention), an optional frozen
// bias and an adapter. Every adapter writes its update in the same factored form
//
//	ΔW = P · diag(d) · Qᵀ,   P: out × r,   Q: in × r,
//
// built once per Forward (once per training step, never per sample). The forward pass for a
// batch X (rows × in) is
//
//	Y = X·W0ᵀ (+ b) + ((X·Q)·diag(d))·Pᵀ,
//
// which never forms ΔW: the adapter costs O(rows·r·(in+out)) next to the frozen
// O(rows·in·out). Backward gives ∂ℓ/∂X and the gradients of the adapter's parameters through
// ∂ℓ/∂P, ∂ℓ/∂Q, ∂ℓ/∂d; for Quantum-PEFT those flow into the circuit angles through the
// vector-Jacobian products of package ortho. When every entry of d is zero (an adapter at
// initialisation) the low-rank term is not added, so the output equals the frozen layer's
// bit for bit.
//
// [NewAdapted] wraps any nn.LinearMap (a frozen nn.Linear, or the map inside an nn.Conv2D)
// with an adapter, so the same adapters fine-tune the networks of package nn.
//
// # Saving, merging, exporting
//
// [Save] and [Load] write and read an adapter checkpoint directory (adapter_config.json and
// adapter_model.safetensors, written atomically). [Linear.Merge] and [Linear.Unmerge] fold
// ΔW into W0 and back. [ExportLoRA] writes any adapter as a standard Hugging Face PEFT LoRA
// adapter (lora_B = P·diag(d), lora_A = Qᵀ, r = lora_alpha = number of active ranks).
//
// # Counting
//
// [CountParams] and [ParamTable] give the trainable-parameter counts of every method for given
// weight shapes, as `qpeft params` prints them.
package peft
