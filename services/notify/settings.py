"""notify's settings: DVK_NOTIFY_DATABASE_URL, DVK_NOTIFY_HTTP_PORT, plus the common DVK_*."""

SERVICE = "notify"
