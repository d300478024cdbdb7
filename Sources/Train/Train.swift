// Train: see the module's files.
