"""Messaging: topology, broker, consume guard, outbox and inbox."""
