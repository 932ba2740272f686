"""intake's settings: DVK_INTAKE_DATABASE_URL, DVK_INTAKE_HTTP_PORT, plus the common DVK_*."""

from shared.settings import CommonSettings, ServiceSettings, load_settings

SERVICE = "intake"


def settings() -> tuple[CommonSettings, ServiceSettings]:
    return load_settings(SERVICE)
