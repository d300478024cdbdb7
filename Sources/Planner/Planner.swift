// Planner: see the module's files.
