"""Composition root of notify: catalogues, planning, transports, the dispatcher."""

from __future__ import annotations

import os
import socket
import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from functools import partial
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

from shared.calendar import WorkingCalendar
from shared.confidential import sealer_from_settings
from shared.db import create_engine, is_postgres, session_factory
from shared.messaging.uow import UnitsOfWork
from shared.plan import PlanCatalogue
from shared.settings import CommonSettings, ServiceSettings, catalogue_file
from shared.units import UnitCatalogue

from .channels import Sender, WebhookSender
from .compose import Composer
from .dispatcher import Dispatcher
from .domain import plan_for_case
from .mail import FileMailSender, SmtpConfig, SmtpSender
from .orm import inbox, outbox
from .planner import PeriodicPlanner
from .retry import RetryPolicy
from .schedule import load_policy
from .scheduling import Planning
from .settings import NotifySettings, clock_from
from .templating import TemplateRenderer
from .uow import NotifyUnitOfWork


@dataclass
class Notify(UnitsOfWork[NotifyUnitOfWork]):
    uow_class = NotifyUnitOfWork
    outbox_table = outbox
    inbox_table = inbox

    engine: AsyncEngine
    sessions: async_sessionmaker
    plan: Any = None  # CaseAssigned -> planned notifications; None: the planning's policy
    planning: Planning = field(default_factory=Planning.default)
    dispatcher: Dispatcher | None = None
    on_commit: Any = None


def default_plan(common: CommonSettings) -> Any:
    return partial(plan_for_case, policy=load_policy(catalogue_file(common, "notify_policy.yaml")),
                   calendar=WorkingCalendar(catalogue_file(common, "calendar_overrides.yaml")))


def transports(common: CommonSettings, settings: NotifySettings) -> dict[str, Sender]:
    """E-mail through the SMTP relay, or into the file outbox when no relay is set; one signed
    webhook sender per integrating system."""
    email: Sender
    if settings.smtp_host:
        email = SmtpSender(SmtpConfig(
            host=settings.smtp_host, port=settings.smtp_port, from_address=settings.smtp_from,
            username=settings.smtp_username, password=settings.smtp_password,
            security=settings.smtp_security, timeout_s=settings.smtp_timeout_s,
            message_id_domain=settings.message_id_domain,
            validate_certs=settings.smtp_validate_certs, cert_bundle=settings.smtp_cert_bundle))
    else:
        email = FileMailSender(settings.outbox_folder(common.data_dir),
                               from_address=settings.smtp_from,
                               domain=settings.message_id_domain)
    hooks = {f"webhook:{w.name}": WebhookSender(w.secret, timeout_s=settings.webhook_timeout_s)
             for w in settings.webhooks}
    return {"email": email, **hooks}


def worker_id(settings: NotifySettings) -> str:
    return settings.worker_id or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


def build_dispatcher(notify: Notify, common: CommonSettings, settings: NotifySettings,
                     units: UnitCatalogue) -> Dispatcher:
    planning = notify.planning
    composer = Composer(units=units, renderer=TemplateRenderer(settings.template_dir),
                        sealer=sealer_from_settings(common.confidentiality_key, common.data_dir),
                        policy=planning.policy, calendar=planning.calendar,
                        webhooks=planning.webhooks)
    retry = RetryPolicy(base_delay=timedelta(seconds=settings.retry_base_seconds),
                        max_delay=timedelta(seconds=settings.retry_max_seconds),
                        failing_after=settings.failing_after)
    return Dispatcher(
        uow=notify.background_uow, skip_locked=is_postgres(notify.engine), composer=composer,
        transports=transports(common, settings), policy=planning.policy,
        calendar=planning.calendar, units=units, worker_id=worker_id(settings),
        clock=planning.clock, retry=retry, batch_size=settings.batch_size,
        lease=timedelta(seconds=settings.lease_seconds), poll_seconds=settings.poll_seconds,
        in_doubt_email=settings.in_doubt_email, read_uow=notify.read_uow,
        planner=PeriodicPlanner(uow=notify.background_uow, planning=planning, units=units))


def bootstrap(common: CommonSettings, own: ServiceSettings,
              settings: NotifySettings | None = None) -> Notify:
    settings = settings or NotifySettings()
    engine = create_engine(own.database_url)
    policy = load_policy(catalogue_file(common, "notify_policy.yaml"))
    calendar = WorkingCalendar(catalogue_file(common, "calendar_overrides.yaml"))
    obligations = PlanCatalogue.load(catalogue_file(common, "plan.yaml")).report_obligations
    planning = Planning(policy=policy, calendar=calendar, webhooks=tuple(settings.webhooks),
                        clock=clock_from(settings), obligations=obligations)
    notify = Notify(engine=engine, sessions=session_factory(engine), planning=planning)
    units = UnitCatalogue.load(catalogue_file(common, "units.yaml"))
    notify.dispatcher = build_dispatcher(notify, common, settings, units)
    return notify
