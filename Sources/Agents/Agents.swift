// Agents: see the module's files.
