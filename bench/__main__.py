"""`python -m bench` (or `make bench`): build the data sets, measure, print and save a Markdown table.

Options: --seed N, --repeat N, --warmup N, --backends sqlite,postgresql, --quick (a tenth of the
scale set, for trying the suite out), --mail-count N, --no-mail, --no-throughput (skip gunicorn + wrk),
--out PATH (default bench/results/latest.md), --only WORDS (just the yardstick and the page rows whose
label contains WORDS, or one of several separated by commas; no calendar, throughput or mail rows).
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

from convene.extensions import db

from . import calendars, cases, data, mail_case, run, throughput

HERE = Path(__file__).resolve().parent


def parse_args(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=2031)
    parser.add_argument("--repeat", type=int, default=30, help="timed requests per page (default 30)")
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--quick", action="store_true", help="a tenth of the scale set")
    parser.add_argument("--mail-count", type=int, default=2000)
    parser.add_argument("--no-mail", action="store_true")
    parser.add_argument("--no-throughput", action="store_true", help="skip gunicorn + wrk (agenda vs minimal route)")
    parser.add_argument("--out", type=Path, default=HERE / "results" / "latest.md")
    parser.add_argument("--only", default="", metavar="WORDS",
                        help="only the yardstick and the page rows whose label contains WORDS (case-insensitive; "
                             "several separated by commas), e.g. --only 'publications API,archive'; "
                             "implies --no-mail --no-throughput, no calendar rows")
    args = parser.parse_args(argv)
    if args.only:
        args.no_mail = args.no_throughput = True
    return args


def chosen(page_cases: list, args) -> list:
    """The page cases this run measures (all of them unless --only)."""
    wanted = [words.strip().casefold() for words in args.only.split(",") if words.strip()]
    return [case for case in page_cases if not wanted or any(w in case.label.casefold() for w in wanted)]


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def build(app, builder, seed: int, **kwargs):
    start = time.perf_counter()
    with app.app_context():
        with db.engine.begin() as connection:
            shapes = builder(connection, seed, **kwargs)
    rebuilt = run.after_bulk_load(app)
    return shapes, time.perf_counter() - start, rebuilt


def dispose(app) -> None:
    with app.app_context():
        for engine in db.engines.values():
            engine.dispose()


def clients(app, admin_id: int):
    """(anonymous client, client signed in as the administrator): each page is asked by its own visitor."""
    return app.test_client(), run.signed_in_client(app, admin_id, "bench-admin-1")


def bench_backend(backend: str, args, report: run.Report) -> None:
    scale_kwargs = {}
    if args.quick:
        scale_kwargs = dict(editions=60, people=2_000, invitations=6_000, sessions=1_000, actions=2_000, briefs=500)
    with run.database(backend) as small_url, run.database(backend) as scale_url:
        # ---- comparison shapes, and the run's yardstick on them
        small_app = run.make_app(small_url)
        run.create_schema(small_app)
        shapes, seconds, _ = build(small_app, data.build_comparison, args.seed)
        report.datasets[f"{backend} comparison"] = {**shapes.counts, "build seconds": round(seconds, 2)}
        log(f"{backend}: comparison set built in {seconds:.2f} s")
        stick = calendars.yardstick(small_app, shapes, backend=backend, repeat=args.repeat, warmup=args.warmup)
        report.rows.append(stick)
        report.yardsticks[backend] = unit = stick.median_ms
        log(f"{backend}: yardstick {unit:.1f} ms")
        small_clients = clients(small_app, shapes.admin_id)
        for case in chosen(cases.COMPARISON_CASES, args):
            report.rows.append(cases.run_page(small_app, small_clients, case, shapes, backend=backend,
                                              dataset="comparison", repeat=args.repeat, warmup=args.warmup,
                                              yardstick_ms=unit))
            log(f"{backend}: {case.label}: {report.rows[-1].median_ms}")
        if not args.only:
            report.rows.extend(calendars.run_ics(small_app, small_clients, shapes, backend=backend,
                                                 repeat=args.repeat, warmup=args.warmup, yardstick_ms=unit))
        small_queries = {case.label: cases.query_count(small_app, small_clients, case, shapes)
                         for case in chosen(cases.SCALE_CASES, args)}
        if not args.no_throughput:
            try:
                report.rows.extend(throughput.run(small_url, shapes, backend=backend))
            except throughput.ThroughputError as error:
                report.failures.append(f"{backend}: throughput: {error}")
                log(f"{backend}: throughput FAILED: {error}")
        dispose(small_app)
        # ---- scale set
        scale_app = run.make_app(scale_url)
        run.create_schema(scale_app)
        big, seconds, _ = build(scale_app, data.build_scale, args.seed, **scale_kwargs)
        report.datasets[f"{backend} scale"] = {**big.counts, "build seconds": round(seconds, 2)}
        log(f"{backend}: scale set built in {seconds:.2f} s")
        scale_clients = clients(scale_app, big.admin_id)
        for case in chosen(cases.SCALE_CASES, args):
            report.rows.append(cases.run_page(scale_app, scale_clients, case, big, backend=backend, dataset="scale",
                                              repeat=args.repeat, warmup=args.warmup, yardstick_ms=unit,
                                              small_queries=small_queries.get(case.label)))
            log(f"{backend}: {case.label}: {report.rows[-1].median_ms}")
        if not args.no_mail:
            report.rows.extend(mail_case.run_mail(lambda **kw: run.make_app(scale_url, **kw), big, backend=backend,
                                                  count=args.mail_count))
            log(f"{backend}: mail: {report.rows[-1].note}")
        dispose(scale_app)


def fmt(value, digits: int = 1) -> str:
    return "—" if value is None else f"{value:,.{digits}f}"


def table(report: run.Report) -> str:
    lines = ["| Backend | Data set | Case | Median ms | × yardstick | p95 ms | Queries (small → scale) | Peak KiB "
             "| Body KiB | Target | Met | Note |",
             "|---|---|---|---:|---:|---:|---:|---:|---:|---|---|---|"]
    for r in report.rows:
        if r.queries is None:
            queries = "—"
        elif r.small_queries is not None:
            queries = f"{r.small_queries} → {r.queries}"
        else:
            queries = str(r.queries)
        met = {True: "met", False: "**missed**", None: "—"}[r.met]
        lines.append(f"| {r.backend} | {r.dataset} | {r.case} | {fmt(r.median_ms)} | {fmt(r.yardstick_ratio, 2)} | "
                     f"{fmt(r.p95_ms)} | {queries} | "
                     f"{fmt(r.peak_kib, 0)} | {fmt(r.size_kib, 0)} | {r.target or '—'} | {met} | {r.note.replace('|', '/')} |")
    return "\n".join(lines)


def render(report: run.Report, args) -> str:
    m = report.machine
    out = [
        "# Convene benchmark results",
        "",
        f"Run {datetime.now(timezone.utc):%Y-%m-%d %H:%M UTC}, seed {args.seed}, {args.repeat} timed requests per "
        f"page after {args.warmup} warm-up requests{' (quick: a tenth of the scale set)' if args.quick else ''}.",
        "",
        f"Machine: {m.get('nproc')} CPUs ({m.get('cpu')}), {m.get('memory', '?')} RAM, Python {m.get('python')}, "
        f"SQLite {m.get('sqlite')}, PostgreSQL {m.get('postgresql')}, {m.get('os')}. "
        f"Load average (1 min) at the start {m.get('load_start', '?')}, at the end {m.get('load_end', '?')}: "
        "other work on the machine inflates the times, the p95 most.",
        "",
        "Yardstick (icalendar alone serialising the conference's 200 events, measured in this run): "
        + ", ".join(f"{backend} {ms:.1f} ms" for backend, ms in report.yardsticks.items())
        + ". The × yardstick column divides each median by it, so runs on different machines compare.",
        "",
        table(report),
        "",
        "## Data sets",
        "",
    ]
    for name, counts in report.datasets.items():
        out.append(f"- **{name}**: " + ", ".join(f"{k} {v:,}" if isinstance(v, int) else f"{k} {v}"
                                                for k, v in counts.items()))
    missed = [r for r in report.rows if r.met is False]
    out += ["", "## Targets", ""]
    out.append(f"{sum(1 for r in report.rows if r.met)} met, {len(missed)} missed, "
               f"{len(report.failures)} could not be measured.")
    for r in missed:
        measured = f"{fmt(r.median_ms)} ms median, {r.queries} queries; " if r.median_ms is not None else ""
        out.append(f"- missed: {r.backend} / {r.case}: {measured}target {r.target}; {r.note}")
    out += [f"- FAILED: {failure}" for failure in report.failures]
    out += report.notes
    return "\n".join(out) + "\n"


def main(argv=None) -> int:
    args = parse_args(argv)
    report = run.Report(machine=run.machine())
    report.machine["load_start"] = f"{os.getloadavg()[0]:.1f}"
    log(f"machine: {report.machine.get('nproc')} CPUs ({report.machine.get('cpu')}), "
        f"load average {report.machine['load_start']}")
    for backend in [b.strip() for b in args.backends.split(",") if b.strip()]:
        if backend == "postgresql":
            reason = run.postgres_available()
            if reason:  # never silent: the run fails (ask for --backends sqlite to leave it out)
                report.failures.append(f"PostgreSQL did not answer: {reason}")
                log(f"PostgreSQL FAILED: {reason}")
                continue
        log(f"{backend}: starting")
        bench_backend(backend, args, report)
    report.machine["load_end"] = f"{os.getloadavg()[0]:.1f}"
    text = render(report, args)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    print(text)
    log(f"written to {args.out}")
    if report.failures:
        log("some rows could not be measured: " + "; ".join(report.failures))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
