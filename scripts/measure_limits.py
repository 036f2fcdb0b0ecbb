"""What the request and case limits cost: a large upload, and every packet and page of a case
filled to the caps, each measured in a fresh process (time, peak resident memory, size).

    # with DATABASE_URL naming a throwaway database, and PRIVATE_STORAGE_ROOT set
    .venv/bin/python scripts/measure_limits.py prepare     # migrate, guide, demo, the full case
    .venv/bin/python scripts/measure_limits.py all         # every measurement, a Markdown table

`prepare` writes a case on the demo guide holding as many evidence items, check-ins and feedback
messages as a case may hold (reviews/limits.py; five messages an item), copied from the demo's
own cases so that texts have their usual lengths. Each measurement runs as
`measure_limits.py one NAME` in a child process with DEBUG off; memory is the peak (VmHWM, reset
through /proc/self/clear_refs just before) minus the resident memory before, after Django (and
Typst, for the PDF) was loaded. CPU time is the process's own, wall time depends on what
else the machine runs.
"""

import datetime
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from reviews.limits import (  # noqa: E402 - a module of plain numbers, Django not needed
    MAX_CHECK_INS_PER_CASE,
    MAX_EVIDENCE_PER_CASE,
    MAX_FEEDBACK_PER_CASE,
)

CAPPED_USERNAME = "capped-candidate"
LONGEST_USERNAME = "longest-candidate"
STATIC_ROOT = str(Path(tempfile.gettempdir()) / "measure-limits-static")
UPLOAD_FILES = 40
UPLOAD_FILE_BYTES = 10 * 1024 * 1024

MEASURES = (
    ("upload", "Evidence POST of 40 files of 10 MB"),
    ("json", "Packet JSON"),
    ("pdf", "Packet PDF, laid out afresh"),
    ("cases-csv", "Cases CSV"),
    ("evidence-csv", "Evidence CSV"),
    ("xlsx", "XLSX"),
    ("case", "Case page"),
    ("evidence", "Evidence list"),
    ("review", "Review page (evidence by indicator)"),
    ("check_ins", "Check-ins page"),
    ("item", "Evidence item page (its thread)"),
)


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


def memory_kb(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"no {field} in /proc/self/status")


def prepare() -> None:
    setup_django()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("import_guide", str(ROOT / "guides/data/m3-to-e1.md"), "--if-new", verbosity=0)
    call_command("load_demo", "--force", verbosity=0)
    build_capped_case(CAPPED_USERNAME)
    build_capped_case(LONGEST_USERNAME, longest=True)


def _longest(text: str, length: int) -> str:
    """`text` repeated to `length` characters: a field at the most its form accepts."""
    return (text * (length // len(text) + 1))[:length]


def build_capped_case(username: str, *, longest: bool = False) -> None:
    """A case at every cap, its texts the demo's own, or with `longest` each at the most its form
    accepts (reviews/forms.py)."""
    from django.db import transaction

    from accounts.models import User
    from core import clock
    from demo.cases import demo_guide
    from reviews.models import Answer, Case, CheckIn, Evidence, Feedback
    from reviews.readiness.snapshots import refresh_snapshots

    guide = demo_guide()
    model = Case.objects.filter(guide=guide, candidate__username="ada").get()
    today = clock.today()
    with transaction.atomic():
        Case.objects.filter(candidate__username=username).delete()
        candidate, _ = User.objects.get_or_create(
            username=username,
            defaults={"name": "Casey Capped", "current_level": guide.from_level},
        )
        case = Case.objects.create(
            candidate=candidate,
            sponsor=model.sponsor,
            guide=guide,
            opened_on=today - datetime.timedelta(days=3 * 365),
            narrative=_longest(model.narrative, 50_000) if longest else model.narrative,
        )
        sources = list(model.evidence.prefetch_related("indicators").order_by("date", "id"))
        items = Evidence.objects.bulk_create(
            Evidence(
                case=case,
                capability_id=source.capability_id,
                title=_longest(source.title + " ", 200) if longest else source.title,
                date=today - datetime.timedelta(days=n * 730 // MAX_EVIDENCE_PER_CASE),
                summary=_longest(source.summary + "\n\n", 20_000) if longest else source.summary,
                outcome=_longest((source.outcome or source.summary) + " ", 20_000)
                if longest
                else source.outcome,
                links=source.links,
            )
            for n, source in ((n, sources[n % len(sources)]) for n in range(MAX_EVIDENCE_PER_CASE))
        )
        tagging = Evidence.indicators.through
        tagging.objects.bulk_create(
            tagging(evidence_id=item.pk, indicator_id=indicator.pk)
            for n, item in enumerate(items)
            for indicator in sources[n % len(sources)].indicators.all()
        )
        texts = list(model.feedback.order_by("id").values_list("kind", "author_id", "text"))
        Feedback.objects.bulk_create(
            Feedback(
                case=case,
                evidence=items[n % MAX_EVIDENCE_PER_CASE],
                kind=kind,
                author_id=candidate.pk if author == model.candidate_id else author,
                text=_longest(text + " ", 5000) if longest else text,
            )
            for n, (kind, author, text) in (
                (n, texts[n % len(texts)]) for n in range(MAX_FEEDBACK_PER_CASE)
            )
        )
        model_check_ins = [
            list(check_in.answers.values_list("question_id", "value", "note"))
            for check_in in model.check_ins.order_by("date")
        ]
        check_ins = CheckIn.objects.bulk_create(
            CheckIn(case=case, date=today - datetime.timedelta(days=n))
            for n in range(MAX_CHECK_INS_PER_CASE)
        )
        Answer.objects.bulk_create(
            Answer(
                check_in=check_in,
                question_id=q,
                value=v,
                note=_longest((note or "A note on this question.") + " ", 2000)
                if longest
                else note,
            )
            for n, check_in in enumerate(check_ins)
            for q, v, note in model_check_ins[n % len(model_check_ins)]
        )
        refresh_snapshots(Case.objects.filter(pk=case.pk))
    print(f"case {case.pk}: as many items, check-ins and messages as a case may hold")


def capped_case():
    from reviews.models import Case

    # MEASURE_CANDIDATE=longest-candidate measures the case whose texts are all at their longest.
    username = os.environ.get("MEASURE_CANDIDATE", CAPPED_USERNAME)
    return Case.objects.with_people().get(candidate__username=username)


def measure(name: str) -> dict:
    setup_django()
    from django.test import Client
    from django.urls import reverse

    from reviews.models import Case

    case = capped_case()
    client = Client()
    if name == "pdf":
        import reviews.packets.pdf  # noqa: F401 - loaded before the baseline, as in a warm worker
    urls = {
        "json": (case.candidate, reverse("reviews:packet_download", args=[case.pk, "json"])),
        "pdf": (case.candidate, reverse("reviews:packet_download", args=[case.pk, "pdf"])),
        "case": (case.candidate, reverse("reviews:case_detail", args=[case.pk])),
        "evidence": (case.candidate, reverse("reviews:evidence_list", args=[case.pk])),
        "review": (case.sponsor, reverse("reviews:case_review", args=[case.pk])),
        "check_ins": (case.candidate, reverse("reviews:check_in_list", args=[case.pk])),
        "item": (
            case.sponsor,
            reverse(
                "reviews:evidence_detail",
                args=[case.pk, case.evidence.order_by("id").values_list("pk", flat=True)[0]],
            ),
        ),
    }
    if name == "upload":
        from tests.bodies import StreamedFile, post_streamed

        # A case with room for an item: the full one would refuse it for that reason.
        case = Case.objects.with_people().get(candidate__username="ada", status=Case.Status.OPEN)
        client.force_login(case.candidate)
        fields = {
            "capability": str(case.guide.capabilities.order_by("number").first().pk),
            "title": "Offsite notes",
            "date": datetime.date.today().isoformat(),
            "summary": "Ran the planning offsite.",
        }
        files = [
            StreamedFile("attachments", f"notes-{n}.txt", UPLOAD_FILE_BYTES)
            for n in range(UPLOAD_FILES)
        ]
        send = lambda: post_streamed(  # noqa: E731
            client, reverse("reviews:evidence_create", args=[case.pk]), fields, files
        )
    elif name in EXPORTS:
        send = lambda: Export(EXPORTS[name](Case.objects.filter(pk=case.pk)))  # noqa: E731
    else:
        user, url = urls[name]
        client.force_login(user)

        def send():
            return client.get(url)

    Path("/proc/self/clear_refs").write_text("5")
    before = memory_kb("VmRSS")
    started, cpu_started = time.perf_counter(), time.process_time()
    response = send()
    # A streamed body is counted as it is sent, as a server would, never held.
    size = sum(len(chunk) for chunk in response) if response.streaming else len(response.content)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    peak = memory_kb("VmHWM")
    return {
        "status": response.status_code,
        "seconds": seconds,
        "cpu_seconds": cpu,
        "growth_mb": (peak - before) / 1024,
        "bytes": size,
        "read_mb": getattr(response, "body_read", 0) / 1024 / 1024,
    }


class Export:
    """A spreadsheet export as the measurement reads a response."""

    status_code = 200

    def __init__(self, chunks):
        self.streaming = not isinstance(chunks, bytes)
        self.content = chunks
        self._chunks = chunks

    def __iter__(self):
        return iter(self._chunks)


def _csv(rows_of, header_name):
    def export(cases):
        from reviews.packets import exports

        return exports.write_csv(getattr(exports, rows_of)(cases), getattr(exports, header_name))

    return export


def _xlsx(cases):
    from reviews.packets import exports

    return exports.write_xlsx(
        {
            "Cases": (exports.CASE_COLUMNS, exports.case_rows(cases)),
            "Evidence": (exports.EVIDENCE_COLUMNS, exports.evidence_rows(cases)),
        }
    )


EXPORTS = {
    "cases-csv": _csv("case_rows", "CASE_COLUMNS"),
    "evidence-csv": _csv("evidence_rows", "EVIDENCE_COLUMNS"),
    "xlsx": _xlsx,
}


def production_env() -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DEBUG="false",
        SECRET_KEY="measure-limits-" + "x" * 50 + "abcdefghij",
        ALLOWED_HOSTS="testserver",
        SECURE_SSL_REDIRECT="false",
        SECURE_HSTS_SECONDS="0",
        LOG_LEVEL="ERROR",
        STATIC_ROOT=STATIC_ROOT,
    )
    return env


def run_all() -> None:
    rows = [
        "| Measure | Status | Time (s) | CPU time (s) | Peak memory growth (MB) | Size (MB) |",
        "|---|---|---|---|---|---|",
    ]
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--no-input", "-v0"],
        cwd=ROOT,
        env=production_env(),
        check=True,
    )
    chosen = sys.argv[2:] or [name for name, _ in MEASURES]
    for name, label in MEASURES:
        if name not in chosen:
            continue
        done = subprocess.run(
            [sys.executable, __file__, "one", name],
            cwd=ROOT,
            env=production_env(),
            capture_output=True,
            text=True,
        )
        if done.returncode:
            rows.append(f"| {label} | failed: {done.stderr.strip().splitlines()[-1]} | | | | |")
            continue
        result = json.loads(done.stdout.strip().splitlines()[-1])
        rows.append(
            f"| {label} | {result['status']} | {result['seconds']:.2f} | "
            f"{result['cpu_seconds']:.2f} | "
            f"{result['growth_mb']:.0f} | {result['bytes'] / 1024 / 1024:.2f} |"
        )
        print(rows[-1], file=sys.stderr)
    print("\n".join(rows))


def main() -> int:
    command = sys.argv[1] if len(sys.argv) > 1 else "all"
    if command == "prepare":
        prepare()
    elif command == "one":
        print(json.dumps(measure(sys.argv[2])))
    else:
        run_all()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
