"""routing's settings: DVK_ROUTING_DATABASE_URL, DVK_ROUTING_HTTP_PORT, plus the common DVK_*."""

SERVICE = "routing"
