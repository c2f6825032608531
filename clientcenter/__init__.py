"""Client Center: a self-hosted client portal for independent insurance agencies."""
