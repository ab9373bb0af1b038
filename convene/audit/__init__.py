"""The audit trail: who changed what, when; written by every service, read by admins."""
