"""Proof of insurance beyond the page: app icons, Apple Wallet passes, Google Wallet links."""
