"""Message contracts shared by every service: the envelope and the v1 payloads."""
