"""The soak's verdict and its record: what counts as a problem, the report, docs/performance.md.

`bench.soak.check` gathers the figures of a run into a dict; `problems` says which of the soak's
promises the run broke (an empty list: it passed); `report` writes them as the Markdown that
`--record` puts between the soak markers of docs/performance.md.
"""
from __future__ import annotations

import os
import platform
import re
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def problems(result: dict, invitations: Counter, stalled: str | None, failures: list[str]) -> list[str]:
    found = [stalled] if stalled else []
    if len(invitations) != result["invitations"] or any(n != 1 for n in invitations.values()):
        found.append(f"{len(invitations)} of {result['invitations']} invitations queued, "
                     f"{sum(n > 1 for n in invitations.values())} more than once")
    if result["lost"] or result["statuses"].keys() - {"sent"}:
        found.append(f"not delivered: {result['lost']}; outbox states {result['statuses']}")
    if len(result["duplicates"]) > 1 or any(n > 2 for n in result["duplicates"].values()):
        found.append(f"duplicates beyond the one-message window of the killed worker: {result['duplicates']}")
    if result["answers_acknowledged"] < result["answers_expected"]:
        found.append(f"only {result['answers_acknowledged']} answers acknowledged")
    if result["answers_wrong"]:
        found.append(f"acknowledged answers not in the database: {result['answers_wrong']}")
    if result["server_errors"] or result["tracebacks"]:
        found.append(f"{result['server_errors']} answers 5xx (not 503), {result['tracebacks']} tracebacks in web.log")
    if result["unclean_503"] or result["503_before_the_restart"] or result["unavailable"] > result["clients"]:
        found.append(f"503s: {result['unavailable']} ({result['unclean_503']} without the clean page, "
                     f"{result['503_before_the_restart']} before the database restart; at most one per client)")
    if result["tokens_in_web_log"]:
        found.append(f"{result['tokens_in_web_log']} personal-link tokens in web.log")
    if failures:
        found.append(f"load clients: {failures[:5]}")
    if len(result["faults"]) != result["faults_planned"] or any("NOT" in fault or "holding 0" in fault
                                                         for fault in result["faults"]):
        found.append(f"faults: {result['faults']}")
    return found



def machine() -> dict:
    """What the figures were measured on: the CPU, its cores and the load average other work put on it."""
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor() or "unknown CPU")
    return {"cpu": cpu, "cores": os.cpu_count(), "load": os.getloadavg()[0]}


def report(result: dict) -> str:
    lines = ["| request | n | p50 ms | p95 ms |", "|---|---|---|---|"]
    lines += [f"| {kind} | {n} | {p50:.0f} | {p95:.0f} |" for kind, (p50, p95, n) in result["latency"].items()]
    codes = ", ".join(f"{code}: {n}" for code, n in sorted(result["status_codes"].items()))
    before, after = result["machine_before"], result["machine_after"]
    phases = result["phases"]
    return "\n".join([
        f"Run of {result['date']} on {before['cpu']} ({before['cores']} cores), load average "
        f"{before['load']:.1f} before and {after['load']:.1f} after; {result['total_seconds']} s in all: "
        f"setup {phases['setup']:.0f} s (create, migrate, seed, start), load {phases['load']:.0f} s, stopping "
        f"the processes {phases['stop']:.0f} s, dropping the database {phases['drop']:.0f} s.", "", *lines, "",
        f"{result['invitations_queued']} of {result['invitations']} invitations queued (bulk \"Send\" in batches "
        f"of 50), {result['messages']} messages in all, {result['delivered']} deliveries, {result['lost']} lost, "
        f"{len(result['duplicates'])} delivered twice (the at-least-once window: the SIGKILLed worker's message in "
        f"flight; at most one allowed); {result['answers_acknowledged']} attendee answers acknowledged, "
        f"{len(result['answers_wrong'])} lost; responses {codes}; {result['server_errors']} server errors "
        f"other than 503, {result['unavailable']} clean 503 pages during the database restart (each retried "
        f"and answered), {result['tracebacks']} tracebacks and {result['tokens_in_web_log']} tokens in the web log.",
        "", "Faults: " + "; ".join(result["faults"]) + "."])


def record(text: str) -> None:
    path = ROOT / "docs" / "performance.md"
    begin, end = "<!-- soak:begin -->", "<!-- soak:end -->"
    page = path.read_text()
    block = f"{begin}\n{text}\n{end}"
    page = re.sub(re.escape(begin) + ".*?" + re.escape(end), lambda _: block, page, flags=re.S) \
        if begin in page else page.rstrip() + "\n\n## Soak (`make soak`)\n\n" + block + "\n"
    path.write_text(page)


def print_logs(work: Path) -> None:
    """The end of each process's log, and every traceback in the web log."""
    for log in sorted(work.glob("*.log")):
        print(f"--- {log.name} (last lines)\n" + "\n".join(log.read_text(errors="replace").splitlines()[-15:]))
    lines = (work / "web.log").read_text(errors="replace").splitlines() if (work / "web.log").exists() else []
    for n, line in enumerate(lines):
        if "Traceback" in line:  # the block runs until the next unindented line after the error
            end = next((m for m in range(n + 1, len(lines)) if lines[m] and not lines[m][0].isspace()), n)
            print("--- traceback in web.log\n" + "\n".join(lines[max(0, n - 2):end + 1])[-4000:].replace("\\n", "\n"))
