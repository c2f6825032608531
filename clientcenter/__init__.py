"""Client Center: a self-hosted client portal for independent insurance agencies."""

import os

# Everything this process writes — the private document store, the SQLite database, the
# dev secret, Reflex's state files if an agency chooses the disk state manager — is for this
# user alone: customers' documents and tab state must not be readable by other local users.
os.umask(0o077)
