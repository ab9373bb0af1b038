"""Webhooks: signed POSTs to URLs that administrators register, queued and retried like the mail outbox."""
