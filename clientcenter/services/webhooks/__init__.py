"""Webhooks out (docs/webhooks.md): endpoints an administrator registers, the events each
receives, and their signed deliveries through the outbox and the relay."""
