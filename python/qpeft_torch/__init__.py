"""qpeft_torch: train qpeft's Quantum-PEFT adapters in PyTorch and Hugging Face PEFT.

The circuits are compiled by the qpeft binary (Go); this package runs the compiled programs
with torch operations and reads and writes qpeft's adapter directories. See docs/pytorch.md.
"""

from .compile import QpeftBinaryError, compile_factor, compile_program, factor_document, qpeft_binary
from .layer import QuantumPEFTLayer, QuantumPEFTModule
from .program import Factor, Program, ProgramError, eval_expr, load_factor_document
from .quant import quantize_angles
from .tuner import QuantumPEFTConfig, QuantumPEFTModel, config_from_document, register

register()

__all__ = [
    "Factor", "Program", "ProgramError", "QpeftBinaryError", "QuantumPEFTConfig", "QuantumPEFTLayer",
    "QuantumPEFTModel", "QuantumPEFTModule", "compile_factor", "compile_program", "config_from_document",
    "eval_expr", "factor_document", "load_factor_document", "qpeft_binary", "quantize_angles", "register",
    "qpeft_on_step",
]
__version__ = "0.1.0"


def qpeft_on_step(model, step: int) -> None:
    """Calls the Quantum-PEFT prune schedule of a PeftModel (or its DDP/accelerate wrapper) for
    optimiser step `step` (counting from 1): at the configured prune_step every layer keeps the K′
    largest |λ|."""
    m = getattr(model, "module", model)
    tuner = m.base_model if hasattr(m, "base_model") else m
    tuner.qpeft_on_step(step)
