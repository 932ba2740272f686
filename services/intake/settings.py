"""intake's settings: DVK_INTAKE_DATABASE_URL, DVK_INTAKE_HTTP_PORT, plus the common DVK_*."""

SERVICE = "intake"
