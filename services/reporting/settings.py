"""reporting's settings: DVK_REPORTING_DATABASE_URL, DVK_REPORTING_HTTP_PORT, plus DVK_*."""

SERVICE = "reporting"
