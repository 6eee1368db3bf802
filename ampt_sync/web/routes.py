"""The page's route handlers: read the store, build views, render templates.

Each handler that touches the store does so in :func:`ampt_sync.web.app.in_thread`, in one
short transaction, and renders there too (Jinja2 is synchronous).
"""

from __future__ import annotations

import json
import secrets
from datetime import date, datetime, timedelta
from typing import Any

from jinja2 import Environment
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response

from ampt_sync import plan_json, steering
from ampt_sync.domain import Workout
from ampt_sync.instruction_bounds import UNWELL_MAX_DAYS
from ampt_sync.plan_text import day_label, fitness_line
from ampt_sync.service_names import ROAD_NAMES
from ampt_sync.store import reports, state
from ampt_sync.store.activities import load_activities
from ampt_sync.store.models import GarminLedgerRow
from ampt_sync.store.plans import load_plan, plan_changes, planned_workouts
from ampt_sync.units import Units
from ampt_sync.web import auth, steer, views
from ampt_sync.web.app import HEALTHY_WITHIN, Page, html, in_thread, safe_next, signed_in

#: Changes listed on /changes (the newest first).
CHANGES_SHOWN = 500


class Handlers:
    def __init__(self, page: Page, env: Environment) -> None:
        self.page = page
        self.env = env

    # ---- helpers --------------------------------------------------------------------------

    def render(
        self, request: Request, name: str, status_code: int = 200, **context: Any
    ) -> Response:
        self.page.follow_config()
        csrf = request.session.get("csrf")
        if not csrf:
            csrf = request.session["csrf"] = secrets.token_urlsafe(32)
        # What the last steering form did, shown once (kept by _steered_redirect).
        note = request.session.pop("note", None)
        body = self.env.get_template(name).render(
            csrf=csrf,
            note=note,
            signed_in=signed_in(request, self.page.now()),
            path=request.url.path,
            athlete=self.page.settings.athlete.name,
            **context,
        )
        return html(body, status_code)

    def _statuses(self, session: Session) -> dict[str, str]:
        return {row.key: row.status for row in planned_workouts(session)}

    @property
    def units(self) -> str:
        return self.page.settings.athlete.units

    @property
    def u(self) -> Units:
        return "mi" if self.page.settings.athlete.units == "mi" else "km"

    # ---- pages ----------------------------------------------------------------------------

    async def today(self, request: Request) -> Response:
        return await in_thread(self._today, request)

    def _today(self, request: Request) -> Response:
        page = self.page
        today = page.today()
        zone = page.settings.zone()
        horizon = page.settings.sync.horizon_days
        road = page.settings.delivery.target
        with page.store.transaction() as session:
            plan = load_plan(session)
            statuses = self._statuses(session)
            activities = load_activities(session, since=today)
            ledger = _sent(session, road)
            last = reports.recent(session, limit=1)
            relogin = state.get(session, state.GARMIN_RELOGIN)
            alerts = state.get(session, state.ACTIVE_ALERTS) or {}
            paused = state.paused_until(session, today)
            in_force = self._in_force(session, today)
        day = views.day_in_full(plan, today, today, statuses, activities, self.units)
        ahead = []
        if plan is not None:
            for offset in range(horizon):
                when = today + timedelta(days=offset)
                places = []
                for _d, workout in plan.workouts_between(when, when + timedelta(days=1)):
                    if workout.kind.value == "rest":
                        continue
                    place = None  # delivery.target "none": nothing is sent anywhere
                    if road in ROAD_NAMES:
                        sent_as = _hash_for(road, workout, when, self.u)
                        place = views.road_place(road, workout, when, sent_as, ledger)
                    places.append(
                        (
                            views.session_view(workout, statuses.get(workout.key, ""), self.u),
                            place,
                            fit_href(when, workout),
                        )
                    )
                ahead.append({"day": when, "label": day_label(when), "places": places})
        return self.render(
            request,
            "today.html",
            title="Today",
            road=ROAD_NAMES.get(road),
            plan=plan,
            day=day,
            ahead=ahead,
            cycle=views.cycle_view(last[0], zone) if last else None,
            problems=views.problems(relogin, alerts, paused),
            fit=fit_hrefs(plan, today, 1),
            week_zip=week_zip_href(today),
            instructions=in_force,
        )

    async def plan(self, request: Request) -> Response:
        return await in_thread(self._plan, request)

    def _plan(self, request: Request) -> Response:
        page = self.page
        today = page.today()
        with page.store.transaction() as session:
            plan = load_plan(session)
            statuses = self._statuses(session)
            first = plan.weeks[0].days[0].day - timedelta(days=7) if plan and plan.weeks else None
            activities = load_activities(session, since=first) if plan else []
            in_force = self._in_force(session, today)
        weeks = views.calendar(plan, today, statuses, activities, self.units) if plan else ()
        return self.render(
            request,
            "plan.html",
            title="Plan",
            plan=plan,
            weeks=weeks,
            today=today,
            goal_day=day_label(plan.goal.day) if plan else "",
            fitness=fitness_line(plan.fitness, self.u) if plan else "",
            instructions=in_force,
            settings_form=views.settings_form(page.settings),
            race_distances=steer.RACE_DISTANCES,
        )

    async def day(self, request: Request) -> Response:
        text = request.path_params["day"]
        try:
            day = date.fromisoformat(text)
        except ValueError:
            raise HTTPException(404, f"{text!r} is not a date; use YYYY-MM-DD") from None
        return await in_thread(self._day, request, day)

    def _day(self, request: Request, day: date) -> Response:
        from ampt_sync.domain import InstructionKind

        page = self.page
        today = page.today()
        with page.store.transaction() as session:
            plan = load_plan(session)
            statuses = self._statuses(session)
            activities = load_activities(session, since=day)
            found = steering.instructions_in_force(session, today)
        view = views.day_in_full(plan, day, today, statuses, activities, self.units)
        kinds = {i.kind for i in found}
        return self.render(
            request,
            "day.html",
            title=view.label,
            day=view,
            previous=(day - timedelta(days=1)).isoformat(),
            next=(day + timedelta(days=1)).isoformat(),
            fit=fit_hrefs(plan, day, 1),
            week_zip=week_zip_href(day),
            # Steering: only today and later can change, and only on a plan.
            steerable=plan is not None and day >= today and bool(plan.weeks),
            choices=steer.day_choices(plan, day, today),
            unwell_max_days=UNWELL_MAX_DAYS,
            unwell_now=day == today and InstructionKind.UNWELL in kinds,
            race_here=any(i.kind is InstructionKind.RACE and i.day == day for i in found),
            race_distances=steer.RACE_DISTANCES,
            instructions=steer.instruction_views(found, today),
        )

    def _in_force(self, session: Session, today: date) -> tuple[steer.InstructionView, ...]:
        return steer.instruction_views(steering.instructions_in_force(session, today), today)

    async def changes(self, request: Request) -> Response:
        return await in_thread(self._changes, request)

    def _changes(self, request: Request) -> Response:
        with self.page.store.transaction() as session:
            rows = plan_changes(session, limit=CHANGES_SHOWN)
        # plan_changes gives the newest version first and each version's changes in the order
        # they were made; the page lists the newest first throughout.
        listed = sorted(
            ((version, index, change) for index, (version, change) in enumerate(rows)),
            key=lambda item: (item[0], -item[1]),
            reverse=True,
        )
        shown = [
            {"day": day_label(c.day), "iso": c.day.isoformat(), "version": v, "reason": c.reason}
            for v, _i, c in listed
        ]
        return self.render(request, "changes.html", title="Changes", changes=shown)

    async def status(self, request: Request) -> Response:
        return await in_thread(self._status, request)

    def _collect(self) -> dict[str, Any]:
        from ampt_sync.status import collect_status

        return collect_status(self.page.config_path, now=self.page.now(), environ=self.page.environ)

    def _status(self, request: Request) -> Response:
        from ampt_sync.status import horizon_legend, horizon_rows, status_rows

        page = self.page
        report = self._collect()
        zone = page.settings.zone()
        with page.store.transaction() as session:
            key = auth.calendar_key(session, now=page.now())
            cycles = [views.cycle_view(row, zone) for row in reports.recent(session, limit=10)]
            last_ok = state.get(session, state.LAST_CYCLE_OK)
            password = auth.password_is_set(session)
        jobs = report.get("next_jobs") or {}
        return self.render(
            request,
            "status.html",
            title="Status",
            report=report,
            # the cycles and alerts have tables of their own below
            rows=[(k, v) for k, v in status_rows(report) if k not in ("cycle", "alert")],
            horizon=horizon_rows(report),
            legend=horizon_legend(report),
            road=views.ROAD_NAMES.get(page.settings.delivery.target),
            day_label=lambda iso: day_label(date.fromisoformat(iso)),
            cycles=cycles,
            feed=f"{page.base_url(request)}/calendar.ics?key={key}",
            password=password,
            last_ok=views.local_time(
                datetime.fromisoformat(last_ok["at"]) if last_ok else None, zone
            ),
            poll_minutes=jobs.get("poll_minutes"),
            relogin=views.RELOGIN_WORDS if report.get("garmin_relogin_needed") else "",
        )

    async def charts(self, request: Request) -> Response:
        return await in_thread(self._charts, request)

    def _charts(self, request: Request) -> Response:
        from markupsafe import Markup

        from ampt_sync.web.series import build_charts

        with self.page.store.transaction() as session:
            charts = build_charts(session, self.page.settings, self.page.today())
        shown = [
            {
                "slug": c.slug,
                "title": c.title,
                "svg": Markup(c.svg),  # noqa: S704 (our SVG)
                "summary": c.summary,
                "explanation": c.explanation,
            }
            for c in charts
        ]
        return self.render(request, "charts.html", title="Charts", charts=shown)

    # ---- steering: the runner's instructions, as the CLI gives them ------------------------

    async def steer_day(self, request: Request) -> Response:
        """``POST /day/YYYY-MM-DD/<action>``: record an instruction about that day."""
        day = _path_day(request)
        action = request.path_params["action"]
        form = await request.form()
        if not auth.csrf_ok(request.session.get("csrf"), _field(form, "csrf")):
            return self._csrf_refused(request)
        back = safe_next(_field(form, "back") or f"/day/{day.isoformat()}")
        if action == "race-remove":
            note = await in_thread(
                self._record, lambda s, inputs: steering.remove_race(s, day, **inputs)
            )
            return self._steered_redirect(request, note, back)
        if action not in steer.DAY_ACTIONS:
            raise HTTPException(404, f"{action!r} is not something the page can do")
        try:
            instruction = steer.instruction_from_form(action, day, form, self.page.today())
        except steer.FormError as exc:
            return self._steered_redirect(request, steer.refusal_note(str(exc)), back)
        note = await in_thread(
            self._record,
            lambda s, inputs: steering.give_instruction(s, instruction, **inputs),
        )
        return self._steered_redirect(request, note, back)

    async def change_settings(self, request: Request) -> Response:
        """``POST /plan/goal`` and ``POST /plan/days``: a new goal or new run days, as
        `ampt-sync goal set` and `ampt-sync days` (the config file changed in place)."""
        action = request.path_params["action"]
        if action not in steer.SETTINGS_ACTIONS:
            raise HTTPException(404, f"{action!r} is not something the page can do")
        form = await request.form()
        if not auth.csrf_ok(request.session.get("csrf"), _field(form, "csrf")):
            return self._csrf_refused(request)
        back = "/plan"
        page = self.page
        try:
            kind, values = steer.settings_from_form(action, form, page.today())
            start = steer.start_from_form(form, page.today()) if action == "days" else None
        except steer.FormError as exc:
            return self._steered_redirect(request, steer.refusal_note(str(exc)), back)
        if page.config_path is None:
            note = steer.refusal_note("this page runs without a config file to change")
            return self._steered_redirect(request, note, back)
        config_path = page.config_path

        def change(session: Session, inputs: dict[str, Any]) -> steering.Steered:
            return steering.change_settings(
                session, kind, values, config_path=config_path, settings=page.settings,
                today=inputs["today"], now=inputs["now"], source="web", start=start,
            )  # fmt: skip

        note = await in_thread(self._record, change)
        return self._steered_redirect(request, note, back)

    async def undo(self, request: Request) -> Response:
        """``POST /undo``: take back the last instruction in force, as `ampt-sync undo`."""
        form = await request.form()
        if not auth.csrf_ok(request.session.get("csrf"), _field(form, "csrf")):
            return self._csrf_refused(request)
        back = safe_next(_field(form, "back") or "/plan")
        config_path = self.page.config_path
        note = await in_thread(
            self._record,
            lambda s, inputs: steering.undo_last(s, **inputs, config_path=config_path),
        )
        return self._steered_redirect(request, note, back)

    def _record(self, call: Any) -> dict[str, Any]:
        """Run one service function of :mod:`ampt_sync.steering` as the CLI does: under the
        cycle lock (a cycle running makes it wait up to 30 s, then it is refused with "try
        again"), in one transaction that a refusal rolls back. Runs in a worker thread."""
        from ampt_sync.errors import AmptSyncError
        from ampt_sync.service import cycle_lock

        page = self.page
        page.follow_config()
        inputs = {
            "athlete": page.settings.athlete_domain(),
            "goal": page.settings.goal_domain(),
            "today": page.today(),
            "now": page.now(),
        }
        try:
            with cycle_lock(page.settings, page.environ), page.store.transaction() as session:
                steered = call(session, inputs)
        except AmptSyncError as exc:  # InstructionError, CycleBusy, a config problem
            return steer.refusal_note(str(exc))
        return steer.outcome_note(steered)

    def _steered_redirect(self, request: Request, note: dict[str, Any], back: str) -> Response:
        request.session["note"] = note
        return RedirectResponse(back, status_code=303)

    # ---- FIT downloads --------------------------------------------------------------------

    async def fit_file(self, request: Request) -> Response:
        """``GET /day/YYYY-MM-DD/<file name>.fit``: one workout's FIT file."""
        day = _path_day(request)
        name = request.path_params["name"]

        def read() -> tuple[str, bytes] | None:
            from ampt_sync.fit.files import fit_files, fit_workouts

            with self.page.store.transaction() as session:
                plan = load_plan(session)
            if plan is None:
                return None
            for item in fit_workouts(plan, day, 1):
                if fit_href(*item).endswith("/" + name):
                    (file,) = fit_files([item])
                    return file.name, file.data
            return None

        found = await in_thread(read)
        if found is None:
            raise HTTPException(
                404, f"no workout {name!r} on {day.isoformat()}: the plan may have changed; "
                f"open /day/{day.isoformat()} for today's files",
            )  # fmt: skip
        return _download(found[1], found[0], FIT_MEDIA_TYPE)

    async def week_zip(self, request: Request) -> Response:
        """``GET /week/YYYY-MM-DD.zip``: the FIT files of the week starting that Monday."""
        text = request.path_params["monday"]
        try:
            monday = date.fromisoformat(text)
        except ValueError:
            raise HTTPException(404, f"{text!r} is not a date; use /week/YYYY-MM-DD.zip") from None
        if monday.weekday() != 0:
            start = monday - timedelta(days=monday.weekday())
            raise HTTPException(
                404, f"{text} is not a Monday; the week's files are at /week/{start}.zip"
            )

        def read() -> bytes | None:
            from ampt_sync.fit.files import week_zip

            with self.page.store.transaction() as session:
                plan = load_plan(session)
            return None if plan is None else week_zip(plan, monday)

        data = await in_thread(read)
        if data is None:
            raise HTTPException(404, "there is no plan yet: the first cycle makes it")
        return _download(data, f"ampt-sync-week-{monday.isoformat()}.zip", "application/zip")

    # ---- machine-readable -----------------------------------------------------------------

    async def api_plan(self, request: Request) -> Response:
        def read() -> Any:
            with self.page.store.transaction() as session:
                plan = load_plan(session)
            return None if plan is None else plan_json.plan_to_dict(plan)

        document = await in_thread(read)
        if document is None:
            return JSONResponse({"error": "no plan yet: the first cycle makes it"}, 404)
        return JSONResponse(document)

    async def api_status(self, request: Request) -> Response:
        report = await in_thread(self._collect)
        return Response(
            json.dumps(report, indent=2, ensure_ascii=False, default=str),
            media_type="application/json",
        )

    async def calendar_feed(self, request: Request) -> Response:
        return await in_thread(self._calendar_feed, request)

    def _calendar_feed(self, request: Request) -> Response:
        key = request.query_params.get("key")
        with self.page.store.transaction() as session:
            allowed = auth.calendar_key_matches(session, key)
        if not allowed:
            return Response(
                "this calendar address is not (or no longer) valid: copy the current one from "
                "the Status page or `ampt-sync web link --calendar`\n",
                status_code=403,
                media_type="text/plain",
            )
        from ampt_sync.web.feed import calendar_feed

        with self.page.store.transaction() as session:
            body = calendar_feed(
                session,
                self.page.settings,
                base_url=self.page.settings.web.base_url or None,
                now=self.page.now(),
            )
        return Response(body, media_type="text/calendar; charset=utf-8")

    async def healthz(self, request: Request) -> Response:
        def read() -> dict[str, Any] | None:
            with self.page.store.transaction() as session:
                return state.get(session, state.LAST_CYCLE_OK)

        value = await in_thread(read)
        last_ok = None if value is None else datetime.fromisoformat(value["at"])
        healthy = last_ok is not None and self.page.now() - last_ok <= HEALTHY_WITHIN
        return JSONResponse(
            {
                "alive": True,
                "daemon": self.page.daemon,
                "last_cycle_ok_at": None if last_ok is None else last_ok.isoformat(),
                "healthy": healthy,
            },
            status_code=200 if healthy else 503,
        )

    # ---- signing in and out ---------------------------------------------------------------

    async def signin_form(self, request: Request) -> Response:
        def read() -> bool:
            with self.page.store.transaction() as session:
                return auth.password_is_set(session)

        password = await in_thread(read)
        return self.render(
            request,
            "signin.html",
            title="Sign in",
            token=request.query_params.get("token", ""),
            next=safe_next(request.query_params.get("next")),
            password=password,
            error="",
        )

    async def signin(self, request: Request) -> Response:
        form = await request.form()
        if not auth.csrf_ok(request.session.get("csrf"), _field(form, "csrf")):
            return self._csrf_refused(request)
        client = request.client.host if request.client else "unknown"
        now = self.page.now()
        wait = self.page.throttle.retry_after_s(client, now)
        if wait is not None:
            return self.render(
                request,
                "signin.html",
                status_code=429,
                title="Sign in",
                token="",
                next="/",
                password=True,
                error=f"Too many failed sign-ins. Try again in {int(wait // 60) + 1} minutes.",
            )
        token = _field(form, "token")
        password = _field(form, "password")

        def check() -> tuple[bool, bool]:
            with self.page.store.transaction() as session:
                has_password = auth.password_is_set(session)
                if token:
                    return auth.redeem_sign_in_token(session, token, now=now), has_password
                if password:
                    return auth.check_password(session, password), has_password
                return False, has_password

        ok, has_password = await in_thread(check)
        if not ok:
            self.page.throttle.failed(client, now)
            error = (
                "That sign-in link has expired or was already used: run `ampt-sync web link` "
                "on the server for a new one."
                if token
                else "Wrong password."
            )
            return self.render(
                request,
                "signin.html",
                status_code=403,
                title="Sign in",
                token="",
                next=safe_next(_field(form, "next")),
                password=has_password,
                error=error,
            )
        self.page.throttle.succeeded(client)
        # A fresh session: nothing from before signing in carries over (session fixation).
        request.session.clear()
        request.session["signed_in_at"] = now.isoformat()
        request.session["csrf"] = secrets.token_urlsafe(32)
        return RedirectResponse(safe_next(_field(form, "next")), status_code=303)

    async def signout(self, request: Request) -> Response:
        form = await request.form()
        if not auth.csrf_ok(request.session.get("csrf"), _field(form, "csrf")):
            return self._csrf_refused(request)
        request.session.clear()
        return RedirectResponse("/signin", status_code=303)

    def _csrf_refused(self, request: Request) -> Response:
        return self.render(
            request,
            "message.html",
            status_code=403,
            title="Form out of date",
            message="This form was out of date or did not come from this page. "
            "Go back, reload the page and try again.",
        )

    # ---- errors ---------------------------------------------------------------------------

    async def not_found(self, request: Request, exc: Exception) -> Response:
        detail = getattr(exc, "detail", "") or "Nothing here."
        if request.url.path.startswith("/api/"):
            return JSONResponse({"error": detail}, status_code=404)
        if not signed_in(request, self.page.now()):
            return RedirectResponse("/signin", status_code=303)
        return self.render(
            request,
            "message.html",
            status_code=404,
            title="Not found",
            message=detail if detail != "Not Found" else "Nothing here.",
        )

    async def not_allowed(self, request: Request, exc: Exception) -> Response:
        return Response("method not allowed\n", status_code=405, media_type="text/plain")


#: The media type Garmin's FIT SDK documentation gives for FIT files.
FIT_MEDIA_TYPE = "application/vnd.ant.fit"


def fit_href(day: date, workout: Any) -> str:
    """The address of a workout's FIT file: ``/day/YYYY-MM-DD/<stable file name>``."""
    from ampt_sync.fit.files import fit_file_name

    return f"/day/{day.isoformat()}/{fit_file_name(day, workout)}"


def fit_hrefs(plan: Any, first: date, days: int) -> dict[str, str]:
    """``{workout key: FIT address}`` for the running and strength workouts of ``days`` days
    from ``first``."""
    from ampt_sync.fit.files import fit_workouts

    if plan is None or days <= 0:
        return {}
    return {w.key: fit_href(d, w) for d, w in fit_workouts(plan, first, days)}


def week_zip_href(day: date) -> str:
    """The zip of the FIT files of ``day``'s week (Monday to Sunday)."""
    return f"/week/{(day - timedelta(days=day.weekday())).isoformat()}.zip"


def _download(data: bytes, file_name: str, media_type: str) -> Response:
    # file_name is ours (FAT-safe characters only), so it needs no quoting beyond the quotes.
    return Response(
        data,
        media_type=media_type,
        headers={"content-disposition": f'attachment; filename="{file_name}"'},
    )


def _path_day(request: Request) -> date:
    text = request.path_params["day"]
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise HTTPException(404, f"{text!r} is not a date; use YYYY-MM-DD") from None


def _field(form: Any, name: str) -> str:
    value = form.get(name)
    return value if isinstance(value, str) else ""


def _sent(session: Session, road: str) -> dict[str, views.Sent]:
    """What the delivery road's ledger says was sent, by workout key."""
    if road == "garmin":
        return {
            row.key: views.Sent(row.scheduled_day, row.content_hash, row.pending)
            for row in session.scalars(select(GarminLedgerRow))
        }
    if road == "intervals":
        events = (state.get(session, state.INTERVALS_LEDGER) or {}).get("events") or {}
        return {
            key: views.Sent(date.fromisoformat(row["day"]), str(row.get("hash") or ""))
            for key, row in events.items()
        }
    return {}


def _hash_for(road: str, workout: Workout, day: date, units: Units) -> str | None:
    """The hash of ``workout`` on ``day`` as the road would be sent it now; None when it cannot
    be encoded (the push says why)."""
    from ampt_sync.garmin.encode import EncodeError

    try:
        if road == "intervals":
            from ampt_sync.intervals.events import desired_event

            return desired_event(workout, day, units).content_hash
        from ampt_sync.garmin.encode import encode

        return encode(workout).payload_hash
    except EncodeError:
        return None
