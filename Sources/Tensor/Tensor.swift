// Tensor: see the module's files.
