my circuit
