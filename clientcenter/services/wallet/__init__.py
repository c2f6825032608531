"""Proof of insurance beyond the page: app icons, Apple Wallet passes and their updates
(the PassKit web service), Google Wallet links."""
