"""Operators' tools: `dvk ops queues`, `dvk ops dlq ...`, `dvk ops rejected ...`."""
