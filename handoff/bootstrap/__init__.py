"""The composition root: the one place that builds settings, clients, connectors, the app and the jobs.

The vendor connectors are built in handoff/bootstrap/vendors.py; the runtime that holds them here."""
from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import ExitStack, asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Literal

import structlog
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from fastapi import FastAPI
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session, sessionmaker

from connectors.enrichment import Enricher
from connectors.local_outbox import LocalOutbox
from handoff.app.similar_cases import SimilarCases
from handoff.app.turns import TurnService
from handoff.bootstrap.vendors import (
    build_bot_webhook,
    build_enricher,
    build_linear,
    build_sunshine,
    build_zendesk,
    plain_env,
)
from handoff.core.delivery_kinds import DeliveryKind
from handoff.edge.http.api import create_app
from handoff.edge.zendesk.webhooks import mount_zendesk_webhook
from handoff.settings import Config
from handoff.storage.db import make_engine, make_sessionmaker, migrate
from jobs.callbacks import fire_due_callbacks
from jobs.deliveries import Dispatcher
from jobs.inbound import InboundProcessor
from jobs.reminders import remind_unclaimed
from jobs.reoffer import reoffer_unclaimed
from jobs.scheduler import PeriodicJob, build_scheduler

log = structlog.get_logger("handoff")


def utc_now() -> datetime:
    """The real clock; everything else receives time from here."""
    return datetime.now(UTC)


@dataclass
class Runtime:
    """Everything a process needs, built once."""

    config: Config
    engine: Engine
    sessions: sessionmaker[Session]
    service: TurnService
    dispatcher: Dispatcher
    enricher: Enricher
    sinks: dict[str, Any]
    clock: Callable[[], datetime]
    targets: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    connectors: dict[str, Any] = field(default_factory=dict)
    operations: Any = None
    inbound: Any = None
    similar: Any = None  # handoff.app.similar_cases.SimilarCases: this process's index of past cases

    def scheduler(self) -> AsyncIOScheduler:
        """The process's scheduler with every periodic job."""
        s = self.config.settings
        return build_scheduler([
            PeriodicJob("deliveries", self.dispatcher.wake, s.delivery.poll_seconds),
            PeriodicJob("callbacks", self.run_callbacks, s.jobs.callbacks_check_seconds),
            PeriodicJob("sla_reminders", self.run_reminders, s.sla.check_seconds),
            PeriodicJob("reoffers", self.run_reoffers, s.jobs.reoffer_check_seconds),
            PeriodicJob("webhook_events", self.inbound.wake, s.jobs.inbound_check_seconds),
            PeriodicJob("weekly_digest", self.run_digest, 300),
            PeriodicJob("waiting_updates", self.run_waiting_updates, s.waiting.check_seconds),
            PeriodicJob("similar_cases", self.similar.refresh, s.similar.refresh_seconds),
        ])

    async def run_digest(self) -> str | None:
        """Post the weekly digest if it is due and no other process has."""
        from handoff.app.stats import collect_stats
        from handoff.core.render.digest import render_digest
        from jobs.digest import run_digest

        s = self.config.settings
        channel = s.digest.channel or s.slack.default_channel
        sink = self.sinks.get(self.targets["slack"])

        async def send(text: str, blocks: list[dict[str, Any]]) -> dict[str, Any]:
            if sink is None:
                raise RuntimeError(f"no sink for target {self.targets['slack']!r}")
            if self.targets["slack"] == "local":
                return await sink.keep("weekly_digest", f"digest-{self.clock():%Y%m%d}", {"text": text, "blocks": blocks})
            return {"ts": await sink.post_message(channel, text, blocks)}

        return await run_digest(
            sessions=self.sessions, settings=s.digest, clock=self.clock, owner=self.dispatcher.owner,
            stats_between=lambda a, b: collect_stats(self.sessions, s.quality, since=a, until=b, now=b,
                                                     signals=s.signals),
            render=lambda cur, prev: render_digest(cur, prev, worst_count=s.digest.worst_count), send=send,
        )

    async def _then_send(self, job: Callable[..., list[str]], *args: Any) -> list[str]:
        """Run a periodic job's database step off the loop, then wake the dispatcher for what it queued."""
        done = await asyncio.to_thread(job, *args)
        if done:
            self.dispatcher.wake()
        return done

    async def run_callbacks(self) -> list[str]:
        """Fire due callbacks, then send what they queued."""
        return await self._then_send(fire_due_callbacks, self.sessions, self.config.settings, self.clock, self.targets)

    async def run_reminders(self) -> list[str]:
        """Remind Slack of handoffs unclaimed past their SLA."""
        return await self._then_send(remind_unclaimed, self.sessions, self.config.settings, self.clock, self.targets)

    async def run_reoffers(self) -> list[str]:
        """Pass on offers not claimed within the claim timeout, then send what that queued."""
        return await self._then_send(reoffer_unclaimed, self.sessions, self.config.settings, self.clock, self.targets)

    async def run_waiting_updates(self) -> list[str]:
        """Tell waiting customers where they stand (and, once, their alternatives), then send it to the bot."""
        from jobs.waiting import send_waiting_updates

        return await self._then_send(send_waiting_updates, self.sessions, self.config.settings, self.clock,
                                     self.targets.get("bot", "local"))

    async def health(self) -> dict[str, Any]:
        """Whether the database answers."""
        def ping() -> None:
            with self.engine.connect() as c:
                c.execute(text("SELECT 1"))

        try:
            await asyncio.to_thread(ping)
            return {"ok": True, "database": "ok"}
        except Exception as e:  # noqa: BLE001 - health reports, never raises
            return {"ok": False, "database": f"unavailable: {type(e).__name__}"}

    @asynccontextmanager
    async def background(self, *, jobs: bool = True) -> AsyncIterator[None]:
        """Run the scheduler (and a first delivery pass) for the life of the block."""
        scheduler = self.scheduler() if jobs else None
        self.similar.refresh_soon()  # load the past cases in the background; handoffs meanwhile show none
        if scheduler is not None:
            scheduler.start()
            self.dispatcher.wake()  # pick up what an earlier process left pending
            self.inbound.wake()
        try:
            yield
        finally:
            if scheduler is not None:
                scheduler.shutdown(wait=False)
            await self.inbound.idle()
            await self.dispatcher.idle()
            await self.similar.settled()  # a rebuild in flight reads the store: let it finish before the pool goes
            closer = getattr(self.service.second_opinion, "aclose", None)
            if closer is not None:
                await closer()  # the second opinion's connection pool lives on this event loop

    def app(self, *, jobs: bool = True) -> FastAPI:
        """The HTTP application, running the jobs in-process when `jobs`."""

        @asynccontextmanager
        async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
            async with self.background(jobs=jobs):
                yield

        env = plain_env(self.config)
        slack_app = None
        if self.connectors.get("slack") is not None and env.get("SLACK_SIGNING_SECRET"):
            from handoff.edge.slack.app import build_slack_app

            slack_app = build_slack_app(self.operations, token=env["SLACK_BOT_TOKEN"],
                                        signing_secret=env["SLACK_SIGNING_SECRET"], client=self.connectors["slack"].client)

        def routes(app: FastAPI) -> None:
            mount_zendesk_webhook(
                app, self.sessions, secret=env.get("ZENDESK_WEBHOOK_SECRET"),
                tolerance_seconds=self.config.settings.zendesk.webhook_tolerance_seconds, clock=self.clock,
                wake=self.inbound.wake,
            )
            if self.operations is not None:
                self._mount_zendesk_app(app, env)
            if self.operations is not None and self.operations.accounts is not None:
                from handoff.edge.http.account_refresh import mount_account_refresh

                mount_account_refresh(app, self.operations.accounts.refresh)
            if slack_app is not None:
                from handoff.edge.slack.front_door import mount_slack

                mount_slack(app, slack_app, sessions=self.sessions, clock=self.clock,
                            team_id=self.config.settings.slack.team_id, app_id=self.config.settings.slack.app_id)
            else:
                from handoff.edge.slack.off import mount_slack_off

                mount_slack_off(app, [n for n in ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET") if not env.get(n)])

        service = self.config.settings.service
        return create_app(
            self.service,
            api_keys=self.config.env.api_keys(),
            max_body_bytes=service.max_body_bytes,
            lifespan=lifespan,
            health=self.health,
            extra_routes=routes,
            guard_operations=service.metrics_require_key,
            body_timeout_seconds=service.body_timeout_seconds,
        )

    def _mount_zendesk_app(self, app: FastAPI, env: dict[str, str]) -> None:
        """The sidebar app's endpoints, over the same Operations as the Slack app."""
        from handoff.app.sidebar import Sidebar
        from handoff.edge.http.zendesk_app import mount_zendesk_app
        from handoff.edge.http.zendesk_app_auth import ZendeskAppAuth
        from handoff.settings import zendesk_app_origins

        s = self.config.settings
        auth = ZendeskAppAuth(key=env.get("HANDOFF_ZENDESK_APP_KEY"), secret=env.get("HANDOFF_ZENDESK_APP_SECRET"),
                              clock=self.clock, leeway_seconds=s.zendesk_app.jwt_leeway_seconds,
                              max_age_seconds=s.zendesk_app.jwt_max_age_seconds)
        mount_zendesk_app(app, Sidebar(self.operations), auth, origins=zendesk_app_origins(s))

    def warm_up(self) -> None:
        """Do before the first request what it would otherwise pay for: compile the trigger patterns, load the
        learned model and the language detector, and open the database connections the turn threads use (a failure is only logged: the API answers
        503 until the database is reachable)."""
        from handoff.app.turns import DB_THREADS
        from handoff.core.decide import language
        from handoff.core.decide.matchers import for_settings

        for_settings(self.config.settings.triggers)  # also loads the learned model
        language.warm_up()
        try:
            with ExitStack() as opened:
                for _ in range(1 if self.engine.dialect.name == "sqlite" else DB_THREADS):
                    opened.enter_context(self.engine.connect())
        except Exception as e:  # noqa: BLE001 - start anyway; requests meet the outage with a clear 503
            from handoff.storage.errors import describe

            log.warning("could not open database connections at start-up", error=describe(e))

    def close(self) -> None:
        """Release connections and the database threads."""
        self.service.close()
        self.engine.dispose()


def build_runtime(config: Config, *, clock: Callable[[], datetime] = utc_now, run_migrations: bool = True) -> Runtime:
    """Build the runtime from validated configuration."""
    s = config.settings
    env = plain_env(config)
    engine = make_engine(config.database_url())
    if run_migrations:
        migrate(engine)
    sessions = make_sessionmaker(engine)
    notes = settings_notes(config)
    outbox = Path(s.service.outbox_dir).resolve()
    sinks: dict[str, Any] = {"local": None}
    targets: dict[str, str] = {}
    connectors: dict[str, Any] = {}
    zendesk = build_zendesk(config)
    if zendesk is not None:
        connectors["zendesk"] = zendesk
        sinks["zendesk"] = connectors["zendesk"]
        targets[DeliveryKind.ZENDESK_TICKET] = "zendesk"
    else:
        targets[DeliveryKind.ZENDESK_TICKET] = "local"
        notes.append(f"Zendesk is not configured: tickets are kept locally in {outbox / 'zendesk'}")
    if env.get("SLACK_BOT_TOKEN"):
        from connectors.slack import SlackConnector

        connectors["slack"] = SlackConnector(
            env["SLACK_BOT_TOKEN"], base_url=env.get("SLACK_API_URL") or s.slack.api_url, timeout=s.slack.timeout_seconds
        )
        sinks["slack"] = connectors["slack"]
        targets[DeliveryKind.SLACK_ALERT] = "slack"
    else:
        targets[DeliveryKind.SLACK_ALERT] = "local"
        notes.append(f"Slack is not configured: alerts are kept locally in {outbox / 'slack'}")
    sunshine = build_sunshine(config, notes)
    if sunshine is not None:
        connectors["sunshine"] = sinks["sunshine"] = sunshine
    targets[DeliveryKind.SUNSHINE_CONTROL] = "sunshine" if sunshine is not None else "local"
    linear = build_linear(config, notes)
    if linear is not None:
        connectors["linear"] = sinks["linear"] = linear
    if s.linear.team_id:  # bug reports on: to Linear with a key, else kept in the local outbox
        targets[DeliveryKind.LINEAR_ISSUE] = "linear" if linear is not None else "local"
    sinks["local"] = LocalOutbox(outbox)
    targets[DeliveryKind.BOT_WEBHOOK] = build_bot_webhook(config, sinks, notes)

    enricher = build_enricher(config, zendesk=connectors.get("zendesk"))
    dispatcher = Dispatcher(sessions, sinks, s.delivery, clock)
    from connectors.summariser import LLMSummariser

    summariser = LLMSummariser.from_settings(s.briefing.summariser, env.get("HANDOFF_SUMMARISER_API_KEY"))
    if summariser is not None:
        notes.append(f"LLM summaries from {s.briefing.summariser.url} ({s.briefing.summariser.model})")
    from connectors.second_opinion import LLMSecondOpinion

    second_opinion = LLMSecondOpinion.from_settings(s.triggers.second_opinion, env.get("HANDOFF_SECOND_OPINION_API_KEY"))
    if second_opinion is not None:
        so = s.triggers.second_opinion
        notes.append(f"second opinion on doubtful turns from {so.url} ({so.model}, {so.timeout_ms} ms budget)")
    from connectors.reply_drafter import LLMReplyDrafter

    drafter = LLMReplyDrafter.from_settings(s.briefing.replies, env.get("HANDOFF_REPLIES_API_KEY"))
    if drafter is not None:
        notes.append(f"LLM-drafted suggested replies from {s.briefing.replies.url} ({s.briefing.replies.model})")
    similar = SimilarCases(sessions, s.similar, clock)
    service = TurnService(sessions, s, enricher, clock, targets=targets, on_handoff=lambda _id: dispatcher.wake(),
                          on_deliveries=dispatcher.wake,
                          summariser=summariser, second_opinion=second_opinion, similar=similar,
                          replies=drafter)
    from handoff.app.account_lookup import AccountLookups
    from handoff.app.followups import Operations
    from handoff.app.stats import collect_stats

    ops_targets = {"zendesk": targets[DeliveryKind.ZENDESK_TICKET], "slack": targets[DeliveryKind.SLACK_ALERT],
                   "sunshine": targets[DeliveryKind.SUNSHINE_CONTROL],
                   "bot": targets[DeliveryKind.BOT_WEBHOOK]}
    operations = Operations(sessions, s, clock, targets=ops_targets, wake=dispatcher.wake,
                            stats=lambda: collect_stats(sessions, s.quality, since=clock() - timedelta(days=7),
                                                        now=clock(), signals=s.signals),
                            accounts=AccountLookups(sessions, enricher, clock, zendesk_target=ops_targets["zendesk"],
                                                    wake=dispatcher.wake))
    inbound = InboundProcessor(sessions, s, clock, zendesk=connectors.get("zendesk"), service=service,
                               operations=operations)
    if not config.env.zendesk_webhook_secret and zendesk is not None:
        # without Zendesk at all the line above says enough: the webhook flow needs the API too
        notes.append("ZENDESK_WEBHOOK_SECRET is not set: POST /webhooks/zendesk refuses every call")
    if "slack" in connectors and not config.env.slack_signing_secret:
        notes.append("SLACK_SIGNING_SECRET is not set: /slack/events (commands and buttons) is off")
    elif "slack" in connectors and not (s.slack.team_id and s.slack.app_id):
        unset = " and ".join(f"[slack] {k}" for k in ("team_id", "app_id") if not getattr(s.slack, k))
        notes.append(f"{unset} not set: Slack commands and buttons are accepted from any workspace the app is "
                     "installed in (and signed with its secret); set them to accept only yours")
    return Runtime(config=config, engine=engine, sessions=sessions, service=service, dispatcher=dispatcher,
                   enricher=enricher, sinks=sinks, clock=clock, targets=ops_targets, notes=notes,
                   connectors=connectors, operations=operations, inbound=inbound, similar=similar)


def settings_notes(config: Config) -> list[str]:
    """Warnings about the settings themselves: started where no settings.toml is, or with nobody to route to."""
    from handoff.settings import DEFAULT_SETTINGS_PATH

    if config.path is None:
        looked = DEFAULT_SETTINGS_PATH.resolve()
        agents = "" if config.settings.routing.agents else ", so with no agents: handoffs wait unassigned"
        return [f"no settings file: {looked} does not exist and neither --settings nor HANDOFF_SETTINGS is set; "
                f"running on the built-in defaults{agents}. Start from the project folder or pass --settings"]
    if not config.settings.routing.agents:
        return [f"{config.path} lists no [[routing.agents]]: handoffs wait unassigned in their team's queue"]
    return []


def setup_zendesk_webhook(config: Config, *, url: str, name: str, kind: Literal["trigger", "events"],
                          show_secret: bool) -> str:
    """Create (or find) the Zendesk webhook and trigger that call this service; what was done, for a person.

    Raises LookupError when Zendesk is not configured, ValueError or UpstreamError when Zendesk refuses.
    """
    from connectors.zendesk_setup import describe, setup_zendesk

    connector = build_zendesk(config)
    if connector is None:
        raise LookupError("Zendesk is not configured: set ZENDESK_EMAIL, ZENDESK_API_TOKEN and [zendesk] subdomain")
    try:
        result = asyncio.run(setup_zendesk(connector, target_url=url, name=name, kind=kind))
    finally:
        connector.close()
    return describe(result, show_secret=show_secret)


__all__ = ["Runtime", "build_bot_webhook", "build_enricher", "build_linear", "build_runtime", "build_sunshine",
           "build_zendesk", "plain_env", "settings_notes", "setup_zendesk_webhook", "utc_now"]
