"""Business rules as plain functions taking a Principal and a Session. No Reflex here."""
