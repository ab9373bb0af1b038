"""Outgoing mail: the outbox, the queue and the worker that delivers it."""
