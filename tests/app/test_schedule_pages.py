"""The policy schedule's pages as a trust's people use them: a spreadsheet uploaded, its preview
(what each row would do, every problem by line and column), the import (all of it or nothing,
then the schedule with a confirmation), a bad file refused on the form, who may import, and the
schedule itself (review tags by today's date, filters, only what the viewer sees, the CSV)."""

from __future__ import annotations

import csv
import gc
import io
import re
import warnings
import zipfile
from datetime import date, timedelta

import httpx2
import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, col, func, select

from app.settings import Settings
from assessments.kernel import audit
from assessments.kernel.actors import Actor, Grant, Role
from assessments.kernel.clock import today
from assessments.models import (
    AuditEvent,
    Policy,
    PolicyCategory,
    PolicyStatus,
    ScheduleUpload,
    School,
)
from assessments.people import accounts
from assessments.policies import queries as policy_queries
from assessments.policies.schedule import SCHEDULE_COLUMNS
from assessments.policies.schedule_import import Change
from assessments.policies.schedule_rows import COLUMNS
from tests.app.pages import (
    Element,
    banner,
    csrf_cookie,
    error_for,
    error_summary,
    page,
    post_form,
    title,
)
from tests.factories.people import make_person
from tests.factories.sign_in import sign_in_as
from tests.factories.spreadsheets import xlsx
from tests.factories.trusts import LOCAL_TRUST_ID, make_policy, make_school
from tests.factories.versions import make_draft, make_version

HEADER = "reference,title,category,review_cycle_months,school,owner,next_review_date"
IMPORTED = (
    "The schedule is imported: its policies are below, and each one added or changed is in the "
    "audit trail."
)
XLSX_MEDIA = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# Files and requests -------------------------------------------------------------------------
def schedule_csv(*rows: str, header: str = HEADER) -> bytes:
    return ("\r\n".join([header, *rows]) + "\r\n").encode()


def day(offset: int) -> date:
    """A date `offset` days from today (UTC, the schedule's today)."""
    return today() + timedelta(days=offset)


def shown_day(value: date) -> str:
    return f"{value.day} {value:%b %Y}"  # british_date("short")


def upload(
    client: TestClient,
    content: bytes,
    filename: str = "schedule.csv",
    media: str = "text/csv",
) -> httpx2.Response:
    return client.post(
        "/schedule/import",
        data={"csrf_token": csrf_cookie(client)},
        files={"file": (filename, content, media)},
    )


def uploaded(client: TestClient, content: bytes, filename: str = "schedule.csv") -> str:
    """The preview's URL of a file the service kept."""
    media = XLSX_MEDIA if filename.endswith(".xlsx") else "text/csv"
    response = upload(client, content, filename, media)
    assert response.status_code == 303, response.text
    location = response.headers["location"]
    assert re.fullmatch(r"/schedule/import/\d+", location), location
    return location


def preview(client: TestClient, url: str, status: int = 200) -> Element:
    response = client.get(url)
    assert response.status_code == status, response.text
    return page(response)


def do_import(client: TestClient, url: str) -> httpx2.Response:
    return post_form(client, url, {})


def counts(doc: Element) -> dict[str, int]:
    return {change.value: int(doc.by_id(f"count-{change.value}").text) for change in Change}


def cell_text(element: Element) -> str:
    """An element's text as a reader sees it, a line break a space."""
    parts = [
        child if isinstance(child, str) else " " if child.tag == "br" else cell_text(child)
        for child in element.children
    ]
    return " ".join("".join(parts).split())


def body_rows(table: Element) -> list[list[str]]:
    rows = table.find("tbody").find_all("tr")
    return [[cell_text(cell) for cell in row.find_all("td")] for row in rows]


def problems(doc: Element) -> list[tuple[str, str, str, str]]:
    """The preview's refused rows: (line, reference, column, problem)."""
    return [(a, b, c, d) for a, b, c, d in body_rows(doc.by_id("refused"))]


def changes(doc: Element) -> list[tuple[str, str, str, str]]:
    """The preview's other rows: (line, reference, title, change)."""
    return [(a, b, c, d) for a, b, c, d in body_rows(doc.by_id("changes"))]


def import_buttons(doc: Element) -> list[Element]:
    return [
        form
        for form in doc.find_all("form")
        if form.attrs.get("action", "").startswith("/schedule/import/")
    ]


def schedule_rows(doc: Element) -> list[list[str]]:
    return body_rows(doc.by_id("schedule"))


def schedule_page(client: TestClient, query: str = "", status: int = 200) -> Element:
    response = client.get(f"/schedule{query}")
    assert response.status_code == status, response.text
    return page(response)


def policies(session: Session) -> dict[str, Policy]:
    session.expire_all()
    return {
        policy.reference: policy
        for policy in policy_queries.policies_by_reference(session, LOCAL_TRUST_ID).values()
    }


def upload_count(session: Session) -> int:
    session.expire_all()
    return session.exec(select(func.count()).select_from(ScheduleUpload)).one()


def csv_of(response: httpx2.Response) -> list[list[str]]:
    assert response.headers["content-type"].startswith("text/csv"), response.headers
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))


# A good file: uploaded, previewed, imported -------------------------------------------------
@pytest.fixture
def oak(session: Session) -> School:
    return make_school(session, "Oak Primary")


@pytest.fixture
def nia(session: Session, oak: School) -> Actor:
    """An author at Oak Primary, who owns policies (nia.owner@accounts.example)."""
    return make_person(session, "Nia Owner", Grant(Role.AUTHOR, oak.id))


def good_rows() -> list[str]:
    return [
        f"TL-001,Marking and feedback,Assessment and marking,12,oak primary,Nia Owner,"
        f"{day(-10).isoformat()}",
        f"TL-002,Staff code of conduct,people-and-hr,24,,nia.owner@accounts.example,"
        f"{day(30):%d/%m/%Y}",
        "TL-003,Home learning,Teaching and learning,36,,Deputy Head,",
        f"TL-004,Behaviour for learning,behaviour,12,Oak Primary,Head of Year 7,"
        f"{day(400).isoformat()}",
    ]


@pytest.mark.usefixtures("nia")
def test_a_good_file_is_previewed_then_imported_and_listed_on_the_schedule(
    client: TestClient, session: Session
) -> None:
    url = uploaded(client, schedule_csv(*good_rows()))

    doc = preview(client, url)
    assert title(doc).startswith("Preview: schedule.csv")
    assert counts(doc) == {"add": 4, "update": 0, "unchanged": 0, "refused": 0}
    assert changes(doc) == [
        ("2", "TL-001", "Marking and feedback", "Added"),
        ("3", "TL-002", "Staff code of conduct", "Added"),
        ("4", "TL-003", "Home learning", "Added"),
        ("5", "TL-004", "Behaviour for learning", "Added"),
    ]
    assert not doc.has_id("refused")
    (button,) = import_buttons(doc)
    assert "4 policies added or changed" in button.text
    assert policies(session) == {}  # a preview writes nothing

    response = do_import(client, url)

    assert response.status_code == 303, response.text
    assert response.headers["location"] == "/schedule"
    listed = schedule_page(client)
    assert banner(listed) == IMPORTED
    assert schedule_rows(listed) == [
        [
            "TL-001: Marking and feedback Every 12 months",
            "Oak Primary",
            "Nia Owner",
            "–",
            "Not started",
            f"{shown_day(day(-10))} Overdue",
        ],
        [
            "TL-002: Staff code of conduct Every 24 months",
            "Trust-wide",
            "Nia Owner",
            "–",
            "Not started",
            f"{shown_day(day(30))} Coming up",
        ],
        [
            "TL-004: Behaviour for learning Every 12 months",
            "Oak Primary",
            "Head of Year 7",
            "–",
            "Not started",
            shown_day(day(400)),
        ],
        [
            "TL-003: Home learning Every 36 months",
            "Trust-wide",
            "Deputy Head",
            "–",
            "Not started",
            "–",
        ],
    ]
    assert listed.by_id("schedule-count").text.startswith("4 policies.")
    assert banner(schedule_page(client)) is None  # shown once
    found = policies(session)
    assert set(found) == {"TL-001", "TL-002", "TL-003", "TL-004"}
    events = [e.action for e in audit.events_of(session, "policy", found["TL-001"].id or 0)]
    assert events == ["imported"]


def test_an_imported_upload_cannot_be_imported_twice(client: TestClient, session: Session) -> None:
    url = uploaded(client, schedule_csv("HR-01,Staff wellbeing,people-and-hr,12,,Head,"))
    assert do_import(client, url).status_code == 303

    again = preview(client, url)
    twice = do_import(client, url)

    assert counts(again) == {"add": 0, "update": 0, "unchanged": 1, "refused": 0}
    assert "It was imported on" in again.by_id("main-content").text
    assert import_buttons(again) == []
    assert twice.status_code == 409
    assert "schedule.csv was imported already" in page(twice).text
    assert list(policies(session)) == ["HR-01"]


@pytest.mark.usefixtures("nia")
def test_the_same_file_again_is_all_unchanged_and_adds_nothing(
    client: TestClient, session: Session
) -> None:
    content = schedule_csv(*good_rows())
    assert do_import(client, uploaded(client, content)).status_code == 303
    before = {ref: (p.id, p.revision) for ref, p in policies(session).items()}

    url = uploaded(client, content)  # a new upload of the same file
    doc = preview(client, url)
    response = do_import(client, url)

    assert counts(doc) == {"add": 0, "update": 0, "unchanged": 4, "refused": 0}
    assert {row[3] for row in changes(doc)} == {"Unchanged"}
    assert "0 policies added or changed" in import_buttons(doc)[0].text
    assert response.status_code == 303
    assert {ref: (p.id, p.revision) for ref, p in policies(session).items()} == before
    assert len(schedule_rows(schedule_page(client))) == 4


def test_a_changed_title_is_an_update_of_the_policy_with_that_reference(
    client: TestClient, session: Session
) -> None:
    existing = make_policy(session, reference="HR-01", title="Staff wellbeing", owner="Head")
    make_policy(session, reference="HR-02", title="Equality objectives", owner="Head")
    url = uploaded(
        client,
        schedule_csv(
            "hr-01,Staff wellbeing and workload,assessment-and-marking,12,,Head,",
            "HR-02,Equality objectives,assessment-and-marking,12,,Head,",
            "HR-03,Remote education,other,12,,Head,",
        ),
    )

    doc = preview(client, url)
    response = do_import(client, url)

    assert counts(doc) == {"add": 1, "update": 1, "unchanged": 1, "refused": 0}
    assert changes(doc) == [
        ("2", "hr-01", "Staff wellbeing and workload", "Updated: title"),
        ("3", "HR-02", "Equality objectives", "Unchanged"),
        ("4", "HR-03", "Remote education", "Added"),
    ]
    assert "2 policies added or changed" in import_buttons(doc)[0].text
    assert response.status_code == 303
    found = policies(session)
    assert set(found) == {"HR-01", "HR-02", "HR-03"}  # updated, not added again
    assert found["HR-01"].id == existing.id
    assert (found["HR-01"].title, found["HR-01"].revision) == ("Staff wellbeing and workload", 2)


def test_an_xlsx_file_is_imported_like_a_csv(client: TestClient, session: Session) -> None:
    content = xlsx(
        [
            [
                "Reference",
                "Title",
                "Category",
                "Review cycle (months)",
                "Owner",
                "Next review date",
            ],
            ["SG-01", "Child protection", "Safeguarding", 12, "Designated lead", day(5)],
        ]
    )

    url = uploaded(client, content, "schedule.xlsx")
    doc = preview(client, url)
    response = do_import(client, url)

    assert counts(doc)["add"] == 1
    assert response.status_code == 303
    (policy,) = policies(session).values()
    assert (policy.reference, policy.title, policy.next_review_date) == (
        "SG-01",
        "Child protection",
        day(5),
    )


def schedule_imports(session: Session) -> list[str]:
    """The audit trail's record of each import, as its canonical JSON."""
    session.expire_all()
    query = select(AuditEvent).where(col(AuditEvent.entity) == "policy_schedule")
    return [event.changes for event in session.exec(query)]


def test_an_import_is_audited_with_its_file_and_counts(
    client: TestClient, session: Session
) -> None:
    make_policy(session, reference="HR-02", title="Equality objectives", owner="Head")
    url = uploaded(
        client,
        schedule_csv(
            "HR-01,Staff wellbeing,people-and-hr,12,,Head,",
            "HR-02,Equality objectives,assessment-and-marking,12,,Head,",
        ),
        "trust schedule.csv",
    )
    assert do_import(client, url).status_code == 303

    (imported,) = schedule_imports(session)
    assert '"file":"trust schedule.csv"' in imported
    assert '"added":1' in imported and '"unchanged":1' in imported


# A file with problems: shown by line and column, never imported ----------------------------
@pytest.mark.usefixtures("oak")
def test_every_problem_is_shown_by_line_and_column_and_nothing_can_be_imported(
    client: TestClient, session: Session
) -> None:
    make_policy(session, reference="KEEP-1", title="Kept as it is", owner="Head")
    url = uploaded(
        client,
        schedule_csv(
            "OK-1,A fine policy,other,12,,Head,",
            "BAD-1,Unknown school,other,12,Elm Academy,Head,",
            "BAD-2,Unknown owner,other,12,,nobody@nowhere.example,",
            "BAD-3,Cycle zero,other,0,,Head,",
            "BAD-4,Cycle in words,other,twelve,,Head,",
            "BAD-5,Cycle too long,other,61,,Head,",
            "BAD-6,Unknown category,gardening,12,,Head,",
            "BAD-7,Bad date,other,12,,Head,31/02/2027",
            "BAD-8,,other,12,,Head,",
            "DUP-1,Twice,other,12,,Head,",
            "dup-1,Twice again,other,12,,Head,",
            "KEEP-1,Kept as it is but changed,other,12,,Head,",
        ),
    )

    doc = preview(client, url)

    assert counts(doc) == {"add": 1, "update": 1, "unchanged": 0, "refused": 10}
    shown = problems(doc)
    assert [(line, ref, column) for line, ref, column, _ in shown] == [
        ("3", "BAD-1", "school"),
        ("4", "BAD-2", "owner"),
        ("5", "BAD-3", "review_cycle_months"),
        ("6", "BAD-4", "review_cycle_months"),
        ("7", "BAD-5", "review_cycle_months"),
        ("8", "BAD-6", "category"),
        ("9", "BAD-7", "next_review_date"),
        ("10", "BAD-8", "title"),
        ("11", "DUP-1", "reference"),
        ("12", "dup-1", "reference"),
    ]
    said = {line: problem for line, _, _, problem in shown}
    assert said["3"] == "No school of the trust is called “Elm Academy”"
    assert said["4"] == "Nobody in the trust has the email address nobody@nowhere.example"
    cycle = "Enter the review cycle as a whole number of months from 1 to 60"
    assert said["5"] == said["6"] == said["7"] == cycle
    assert said["8"].startswith("Use one of the categories: Teaching and learning, ")
    assert said["9"] == "Enter a real date, like 2027-07-31 or 31/07/2027"
    assert said["10"] == "Enter a title of 3 to 200 characters"
    assert said["11"] == "DUP-1 is in the file more than once"
    assert said["12"] == "dup-1 is in the file more than once"
    assert changes(doc) == [
        ("2", "OK-1", "A fine policy", "Added"),
        ("13", "KEEP-1", "Kept as it is but changed", "Updated: title, category"),
    ]
    assert import_buttons(doc) == []

    refused = do_import(client, url)  # posted anyway

    assert refused.status_code == 422
    again = page(refused)
    ((message, href),) = error_summary(again)
    assert message == (
        "10 rows cannot be imported (the first, line 3: No school of the trust is called "
        "“Elm Academy”): nothing was imported"
    )
    assert href == "#problems" and again.has_id("problems")
    assert len(problems(again)) == 10 and import_buttons(again) == []
    found = policies(session)
    assert list(found) == ["KEEP-1"]
    assert (found["KEEP-1"].title, found["KEEP-1"].revision) == ("Kept as it is", 1)
    assert schedule_imports(session) == []


def test_a_file_without_a_required_column_says_which_and_cannot_be_imported(
    client: TestClient, session: Session
) -> None:
    url = uploaded(
        client,
        schedule_csv("HR-01,Staff wellbeing,Head", header="Reference,Title,Owner,Notes"),
    )

    doc = preview(client, url)
    refused = do_import(client, url)

    assert "Its header row has no column category, review_cycle_months." in (
        doc.by_id("missing-columns").text
    )
    assert "Not imported (the service keeps no such detail): notes." in (
        doc.by_id("ignored-columns").text
    )
    assert import_buttons(doc) == []
    assert refused.status_code == 422
    (summary,) = page(refused).find_all(cls="govuk-error-summary")  # the page's own, once
    assert "has no column category, review_cycle_months" in summary.text
    assert policies(session) == {}
    assert schedule_imports(session) == []


def test_a_refused_import_of_a_file_without_a_column_has_one_error_summary(
    client: TestClient,
) -> None:
    url = uploaded(client, schedule_csv("HR-01,Staff wellbeing", header="Reference,Title"))

    refused = do_import(client, url)

    assert refused.status_code == 422
    doc = page(refused)
    assert len(doc.find_all(cls="govuk-error-summary")) == 1
    assert len(doc.find_all(role="alert")) == 1


# Files that cannot be read: refused on the form, next to the field ---------------------------
def zip_of(name: str, content: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr(name, content)
    return out.getvalue()


@pytest.mark.parametrize(
    ("filename", "content", "message"),
    [
        ("schedule.csv", b"", "The file is empty"),
        ("schedule.csv", b"\r\n,,,\r\n", "The file has no rows: start with a header row"),
        (
            "schedule.csv",
            HEADER.encode("utf-16"),
            "schedule.csv is not UTF-8: upload CSV (UTF-8) or Excel (.xlsx)",
        ),
        (
            "schedule.csv",
            schedule_csv("HR-01,Caf\xe9 rota,other,12,,Head,").decode().encode("cp1252"),
            "schedule.csv is not UTF-8",
        ),
        (
            "schedule.xls",
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600),
            "schedule.xls is a spreadsheet in another format: upload CSV (UTF-8) or Excel",
        ),
        (
            "policies.docx",
            zip_of("word/document.xml", b"<w:document/>"),
            "The file is not an Excel workbook (.xlsx) that opens",
        ),
        (
            "schedule.xlsx",
            xlsx([["reference", "title"], ["HR-01", '=HYPERLINK("http://evil.example")']]),
            "Row 2, column 2: a formula, not a value. Copy the cells and paste them as values",
        ),
        (
            "schedule.csv",
            b"reference,title,\r\nHR-01,Staff wellbeing,\r\n",
            "Line 1: every column of the header row needs a name",
        ),
    ],
    ids=[
        "empty",
        "no rows",
        "utf-16",
        "windows-1252",
        "old excel",
        "a zip but not a workbook",
        "xlsx formula",
        "unnamed column",
    ],
)
def test_a_file_that_cannot_be_read_is_refused_on_the_form_next_to_the_field(
    client: TestClient, session: Session, filename: str, content: bytes, message: str
) -> None:
    response = upload(client, content, filename)

    assert response.status_code == 422
    doc = page(response)
    assert message in error_for(doc, "file")
    assert error_summary(doc)[0][1] == "#file"
    assert doc.find("input", type="file", name="file")
    assert upload_count(session) == 0


UNCLOSED_QUOTE = (
    "HR-01,Staff wellbeing,other,12,,Head,",
    'HR-02,Equality objectives,other,12,,"Deputy head',  # its quote never closed
    "HR-03,Remote education,other,12,,Head,",
    "HR-04,Attendance,other,12,,Head,",
)


def test_a_csv_with_an_unclosed_quote_is_refused_not_imported_in_part(
    client: TestClient, session: Session
) -> None:
    response = upload(client, schedule_csv(*UNCLOSED_QUOTE))

    assert response.status_code == 422
    assert error_for(page(response), "file")
    assert upload_count(session) == 0


def test_uploading_without_choosing_a_file_asks_for_one(
    client: TestClient, session: Session
) -> None:
    as_browsers_send_it = client.post(
        "/schedule/import",
        data={"csrf_token": csrf_cookie(client)},
        files={"file": ("", b"", "application/octet-stream")},
    )
    no_field = post_form(client, "/schedule/import", {})

    for response in (as_browsers_send_it, no_field):
        assert response.status_code == 422
        assert error_for(page(response), "file") == "Choose a CSV or Excel file to upload"
    assert upload_count(session) == 0


def test_a_file_over_5_mb_is_refused(client: TestClient, session: Session) -> None:
    just_over = upload(client, b"a" * (5 * 1024 * 1024 + 1))
    far_over = upload(client, b"a" * (6 * 1024 * 1024))  # more than the request may carry

    assert just_over.status_code == 422
    assert "larger than 5 MB, the most a schedule can be" in error_for(page(just_over), "file")
    assert far_over.status_code == 413
    assert upload_count(session) == 0


def test_an_upload_of_a_few_megabytes_is_taken(client: TestClient) -> None:
    """Far over the service's usual limit on a request (256 KB), within the upload's."""
    padding = "x" * 100
    rows = [f"HR-{n:05d},Policy number {n} {padding},other,12,,Head," for n in range(20_000)]
    content = schedule_csv(*rows)
    assert 2 * 1024 * 1024 < len(content) < 5 * 1024 * 1024

    url = uploaded(client, content)

    doc = preview(client, url)
    assert counts(doc)["add"] == 20_000
    assert len(changes(doc)) == 200  # the first of the rows that import cleanly
    assert "And 19800 more." in doc.by_id("main-content").text


def test_the_upload_needs_the_csrf_token(client: TestClient, session: Session) -> None:
    response = client.post(
        "/schedule/import", files={"file": ("schedule.csv", schedule_csv(), "text/csv")}
    )

    assert response.status_code == 403
    assert upload_count(session) == 0


def test_only_the_upload_form_takes_a_file(client: TestClient, session: Session) -> None:
    url = uploaded(client, schedule_csv("HR-01,Staff wellbeing,other,12,,Head,"))

    response = client.post(
        url,
        data={"csrf_token": csrf_cookie(client)},
        files={"file": ("schedule.csv", schedule_csv(), "text/csv")},
    )

    assert response.status_code == 400
    assert policies(session) == {}


def test_the_uploaded_file_is_closed_once_the_request_is_done(client: TestClient) -> None:
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always", ResourceWarning)
        response = upload(client, schedule_csv("HR-01,Staff wellbeing,other,12,,Head,"))
        gc.collect()

    assert response.status_code == 303
    unclosed = "Unclosed file <tempfile.SpooledTemporaryFile"
    assert [str(w.message) for w in seen if unclosed in str(w.message)] == []


def raw_upload(client: TestClient, filename: bytes, content: bytes) -> httpx2.Response:
    """The upload with the file's name exactly as given (httpx escapes control characters)."""
    boundary = b"schedule-boundary-7d1c"
    body = b"".join(
        [
            b"--" + boundary + b"\r\n",
            b'Content-Disposition: form-data; name="csrf_token"\r\n\r\n',
            csrf_cookie(client).encode() + b"\r\n",
            b"--" + boundary + b"\r\n",
            b'Content-Disposition: form-data; name="file"; filename="' + filename + b'"\r\n',
            b"Content-Type: text/csv\r\n\r\n",
            content + b"\r\n",
            b"--" + boundary + b"--\r\n",
        ]
    )
    content_type = f"multipart/form-data; boundary={boundary.decode()}"
    return client.post("/schedule/import", content=body, headers={"content-type": content_type})


def test_a_long_or_accented_file_name_is_kept_and_shown(client: TestClient) -> None:
    content = schedule_csv("HR-01,Staff wellbeing,other,12,,Head,")
    long_name = "a" * 300 + ".csv"

    accented = preview(client, uploaded(client, content, "Café €.csv"))
    long = preview(client, uploaded(client, content, long_name))

    assert title(accented).startswith("Preview: Café €.csv")
    assert title(long).startswith(f"Preview: {long_name[-255:]}")


def test_a_file_name_with_a_nul_is_refused_or_stored_without_it(
    client: TestClient, session: Session
) -> None:
    response = raw_upload(client, b"sched\x00ule.csv", schedule_csv())

    if response.status_code == 303:
        session.expire_all()
        (kept,) = session.exec(select(ScheduleUpload)).all()
        assert "\x00" not in kept.filename
    else:
        assert response.status_code == 422
        assert error_for(page(response), "file")
        assert upload_count(session) == 0


def test_the_import_needs_the_csrf_token(client: TestClient, session: Session) -> None:
    url = uploaded(client, schedule_csv("HR-01,Staff wellbeing,other,12,,Head,"))

    forged = client.post(url)
    wrong = client.post(url, data={"csrf_token": "forged.token"})

    assert (forged.status_code, wrong.status_code) == (403, 403)
    assert policies(session) == {}
    assert do_import(client, url).status_code == 303  # the page's own form still works


def test_another_trusts_schools_people_and_policies_are_not_touched(
    client: TestClient, session: Session, oak: School
) -> None:
    other = accounts.create_trust(session=session, name="Riverside Schools Trust")
    assert other.id is not None
    theirs = School(trust_id=other.id, name="Riverside Academy")
    session.add(theirs)
    session.flush()
    make_person(session, "Otto Other", Grant(Role.AUTHOR), trust_id=other.id)
    their_policy = Policy(
        trust_id=other.id,
        reference="HR-01",
        title="Their wellbeing policy",
        category=PolicyCategory.OTHER,
        owner="Their head",
        review_cycle_months=12,
        status=PolicyStatus.IN_FORCE,
    )
    session.add(their_policy)
    session.commit()

    refused = preview(
        client,
        uploaded(
            client,
            schedule_csv(
                "HR-01,Our wellbeing policy,other,12,Riverside Academy,Head,",
                "HR-02,Equality objectives,other,12,,otto.other@accounts.example,",
            ),
        ),
    )
    url = uploaded(client, schedule_csv("HR-01,Our wellbeing policy,other,12,Oak Primary,Head,"))
    ours = preview(client, url)

    assert [(line, column) for line, _, column, _ in problems(refused)] == [
        ("2", "school"),
        ("3", "owner"),
    ]
    assert counts(ours) == {"add": 1, "update": 0, "unchanged": 0, "refused": 0}
    assert do_import(client, url).status_code == 303
    assert policies(session)["HR-01"].school_id == oak.id
    session.refresh(their_policy)
    assert (their_policy.title, their_policy.revision) == ("Their wellbeing policy", 1)


@pytest.mark.usefixtures("rubric_published")
def test_a_policy_approved_for_its_school_keeps_it_and_the_schedule_shows_the_approval(
    client: TestClient, session: Session, oak: School, elm: School
) -> None:
    approver = make_person(session, "Pat Approver", Grant(Role.APPROVER))
    approved = make_version(
        session,
        "approved",
        approver=approver,
        reference="TL-001",
        title="Marking and feedback",
        school_id=oak.id,
    )
    make_draft(session, reference="TL-002", title="Homework policy")
    assert approved.decided_at is not None

    doc = preview(
        client,
        uploaded(client, schedule_csv("TL-001,Marking and feedback,other,12,Elm Academy,Head,")),
    )
    listed = {row[0].split(":")[0]: row for row in schedule_rows(schedule_page(client))}

    ((line, _, column, problem),) = problems(doc)
    assert (line, column) == ("2", "school")
    assert problem.startswith("Its assessment was approved for another school")
    assert listed["TL-001"][3:5] == [
        f"{shown_day(approved.decided_at.date())} Pat Approver",
        "Approved",
    ]
    assert listed["TL-002"][3:5] == ["–", "Draft"]
    exported = {row[0]: row for row in csv_of(client.get("/schedule.csv"))[1:]}
    assert exported["TL-001"][9:] == [approved.decided_at.isoformat(), "Pat Approver", "approved"]
    assert exported["TL-002"][9:] == ["", "", "draft"]


# Who may import ----------------------------------------------------------------------------
KEEPERS_ONLY = "Importing the policy schedule is for trust-wide authors and admins"


@pytest.mark.parametrize(
    ("role", "at_school"),
    [
        (Role.AUTHOR, True),
        (Role.ADMIN, True),
        (Role.APPROVER, False),
        (Role.AUDITOR, False),
    ],
    ids=["author at a school", "admin at a school", "trust-wide approver", "trust-wide auditor"],
)
def test_someone_who_does_not_keep_the_schedule_is_refused_every_import_page(
    client: TestClient,
    session: Session,
    settings: Settings,
    oak: School,
    role: Role,
    at_school: bool,
) -> None:
    url = uploaded(client, schedule_csv("HR-01,Staff wellbeing,other,12,,Head,"))  # as AUTHOR
    before = upload_count(session)
    someone = make_person(session, "Sam Someone", Grant(role, oak.id if at_school else None))
    sign_in_as(client, session, settings, someone)

    refused = [
        client.get("/schedule/import"),
        upload(client, schedule_csv("HR-02,Equality objectives,other,12,,Head,")),
        client.get(url),
        do_import(client, url),
        client.get("/schedule/template.csv"),
    ]

    assert [response.status_code for response in refused] == [403] * 5
    assert KEEPERS_ONLY in page(refused[0]).text
    assert upload_count(session) == before
    assert policies(session) == {}
    listed = schedule_page(client)  # the schedule they may see, without the import link
    assert not listed.find_all("a", href="/schedule/import")


@pytest.mark.parametrize(
    "grants",
    [(Grant(Role.ADMIN),), (Grant(Role.AUTHOR),)],
    ids=["trust-wide admin", "trust-wide author"],
)
def test_a_trust_wide_author_or_admin_may_import(
    client: TestClient, session: Session, settings: Settings, grants: tuple[Grant, ...]
) -> None:
    sign_in_as(client, session, settings, make_person(session, "Kim Keeper", *grants))

    assert client.get("/schedule/import").status_code == 200
    assert schedule_page(client).find_all("a", href="/schedule/import")
    url = uploaded(client, schedule_csv("HR-01,Staff wellbeing,other,12,,Head,"))
    assert do_import(client, url).status_code == 303
    assert list(policies(session)) == ["HR-01"]


def test_a_visitor_is_sent_to_sign_in(anonymous_client: TestClient) -> None:
    for url in ("/schedule", "/schedule/import", "/schedule.csv", "/schedule/template.csv"):
        response = anonymous_client.get(url)
        assert response.status_code == 303, url
        assert response.headers["location"].startswith("/sign-in"), url


def test_another_trusts_upload_is_not_found(
    client: TestClient, session: Session, settings: Settings
) -> None:
    url = uploaded(client, schedule_csv("HR-01,Staff wellbeing,other,12,,Head,"))
    other = accounts.create_trust(session=session, name="Riverside Schools Trust")
    assert other.id is not None
    outsider = make_person(
        session, "Otto Other", Grant(Role.AUTHOR), Grant(Role.ADMIN), trust_id=other.id
    )
    sign_in_as(client, session, settings, outsider)

    seen = client.get(url)
    imported = do_import(client, url)

    assert (seen.status_code, imported.status_code) == (404, 404)
    assert "schedule.csv" not in seen.text
    assert policies(session) == {}
    assert session.exec(select(Policy).where(col(Policy.trust_id) == other.id)).all() == []


@pytest.mark.parametrize("upload_id", ["999999", "0", "abc", "99999999999999999999"])
def test_an_upload_that_is_not_there_is_not_found(client: TestClient, upload_id: str) -> None:
    assert client.get(f"/schedule/import/{upload_id}").status_code == 404
    assert do_import(client, f"/schedule/import/{upload_id}").status_code == 404


def test_the_form_lists_the_columns_and_the_template_has_them(client: TestClient) -> None:
    doc = page(client.get("/schedule/import"))
    template = client.get("/schedule/template.csv")

    assert title(doc).startswith("Import the policy schedule")
    listed = [code.text for code in doc.by_id("columns").find_all("code")]
    assert listed == list(COLUMNS)
    assert template.status_code == 200
    assert "policy-schedule.csv" in template.headers["content-disposition"]
    header, example = csv_of(template)
    assert header == list(COLUMNS)
    assert example[0] == "TL-004"


def test_the_template_as_filled_in_is_accepted(client: TestClient) -> None:
    """The template's example row, uploaded as it comes, can be imported."""
    template = client.get("/schedule/template.csv").content

    doc = preview(client, uploaded(client, template))

    assert counts(doc) == {"add": 1, "update": 0, "unchanged": 0, "refused": 0}


# What is shown as it was typed, never run ---------------------------------------------------
def test_what_the_file_says_is_shown_as_text(client: TestClient, session: Session) -> None:
    script = "<script>alert(1)</script>"
    url = uploaded(
        client,
        schedule_csv(f'HR-01,"{script} policy",other,12,,"<b>Head</b>",'),
        f"{script}.csv",
    )

    shown = client.get(url)
    assert do_import(client, url).status_code == 303
    listed = client.get("/schedule")

    for response in (shown, listed):
        assert script not in response.text
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in response.text
    assert changes(page(shown))[0][2] == f"{script} policy"
    assert schedule_rows(page(listed))[0][2] == "<b>Head</b>"


def test_the_search_is_shown_back_as_text(client: TestClient) -> None:
    hostile = '"><script>alert(1)</script>'

    response = client.get("/schedule", params={"q": hostile})

    assert response.status_code == 200
    assert "<script>alert(1)" not in response.text
    doc = page(response)
    assert doc.by_id("q").attrs["value"] == hostile
    (download,) = [a for a in doc.find_all("a") if a.attrs["href"].startswith("/schedule.csv?")]
    assert "<" not in download.attrs["href"] and '"' not in download.attrs["href"]


# The schedule ------------------------------------------------------------------------------
@pytest.fixture
def elm(session: Session) -> School:
    return make_school(session, "Elm Academy")


@pytest.fixture
def spread(session: Session, oak: School, elm: School) -> dict[str, Policy]:
    """Policies whose reviews fall before, around and long after today."""
    made = [
        make_policy(session, reference="P-LATE", title="Late review"),
        make_policy(session, reference="P-SOON", title="Soon review", school_id=oak.id),
        make_policy(session, reference="P-EDGE", title="Edge review", school_id=elm.id),
        make_policy(session, reference="P-TODAY", title="Review today", owner="Business manager"),
        make_policy(session, reference="P-FAR", title="Distant review", school_id=oak.id),
        make_policy(session, reference="P-NONE", title="Never reviewed"),
    ]
    dates = [day(-1), day(89), day(90), day(0), day(400), None]
    for policy, when in zip(made, dates, strict=True):
        policy.next_review_date = when
        session.add(policy)
    session.commit()
    return {policy.reference: policy for policy in made}


def review_column(doc: Element) -> dict[str, str]:
    """Each listed policy's reference and its review column ("No policy matches." is none)."""
    rows = schedule_rows(doc)
    if rows == [["No policy matches."]]:
        return {}
    return {row[0].split(":")[0]: row[5] for row in rows}


@pytest.mark.usefixtures("spread")
def test_reviews_are_marked_overdue_or_coming_up_by_today_soonest_first(
    client: TestClient,
) -> None:
    doc = schedule_page(client)

    assert review_column(doc) == {
        "P-LATE": f"{shown_day(day(-1))} Overdue",
        "P-TODAY": f"{shown_day(day(0))} Coming up",
        "P-SOON": f"{shown_day(day(89))} Coming up",
        "P-EDGE": shown_day(day(90)),
        "P-FAR": shown_day(day(400)),
        "P-NONE": "–",
    }
    assert list(review_column(doc)) == ["P-LATE", "P-TODAY", "P-SOON", "P-EDGE", "P-FAR", "P-NONE"]
    assert doc.find("strong", cls="govuk-tag--red").text == "Overdue"


@pytest.mark.usefixtures("spread")
@pytest.mark.parametrize(
    ("query", "listed"),
    [
        ("?due=overdue", ["P-LATE"]),
        ("?due=coming-up", ["P-LATE", "P-TODAY", "P-SOON"]),
        ("?school={oak}", ["P-SOON", "P-FAR"]),
        ("?school={oak}&due=coming-up", ["P-SOON"]),
        ("?q=review", ["P-LATE", "P-TODAY", "P-SOON", "P-EDGE", "P-FAR", "P-NONE"]),
        ("?q=p-far", ["P-FAR"]),
        ("?q=business", ["P-TODAY"]),
        ("?q=%25", []),
        ("?q=_", []),
        ("?school=&due=&q=", ["P-LATE", "P-TODAY", "P-SOON", "P-EDGE", "P-FAR", "P-NONE"]),
    ],
)
def test_the_schedule_is_filtered_and_its_csv_follows_the_filter(
    client: TestClient, oak: School, query: str, listed: list[str]
) -> None:
    query = query.format(oak=oak.id)

    doc = schedule_page(client, query)
    exported = client.get(f"/schedule.csv{query}")

    assert list(review_column(doc)) == listed
    assert exported.status_code == 200
    assert [row[0] for row in csv_of(exported)[1:]] == listed
    download = doc.find("a", href=f"/schedule.csv?{query.removeprefix('?')}")
    assert download.text == "Download as CSV"


@pytest.mark.usefixtures("spread")
@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("?due=soon", "due", "Choose overdue, or overdue and coming up"),
        ("?school=oak", "school", "Choose a school from the list"),
    ],
)
def test_a_filter_that_is_not_valid_is_shown_by_its_field_and_refused_by_the_csv(
    client: TestClient, query: str, field: str, message: str
) -> None:
    doc = schedule_page(client, query, status=422)
    exported = client.get(f"/schedule.csv{query}")

    assert error_for(doc, field) == message
    assert error_summary(doc) == [(message, f"#{field}")]
    assert len(schedule_rows(doc)) == 6  # the rest of the filter still applies
    assert exported.status_code == 422
    assert message in page(exported).text


def test_a_school_author_sees_their_school_and_the_trust_wide_policies_only(
    client: TestClient, session: Session, settings: Settings, spread: dict[str, Policy]
) -> None:
    oak_id = spread["P-SOON"].school_id
    elm_id = spread["P-EDGE"].school_id
    ann = make_person(session, "Ann Author", Grant(Role.AUTHOR, oak_id))
    sign_in_as(client, session, settings, ann)

    everything = schedule_page(client)
    asked_for_elm = schedule_page(client, f"?school={elm_id}")
    exported = csv_of(client.get("/schedule.csv"))

    assert list(review_column(everything)) == ["P-LATE", "P-TODAY", "P-SOON", "P-FAR", "P-NONE"]
    assert schedule_rows(asked_for_elm) == [["No policy matches."]]
    assert [row[0] for row in exported[1:]] == ["P-LATE", "P-TODAY", "P-SOON", "P-FAR", "P-NONE"]
    assert "Edge review" not in everything.text


def test_another_trust_sees_none_of_the_schedule(
    client: TestClient, session: Session, settings: Settings, spread: dict[str, Policy]
) -> None:
    other = accounts.create_trust(session=session, name="Riverside Schools Trust")
    assert other.id is not None
    sign_in_as(
        client,
        session,
        settings,
        make_person(session, "Otto Other", Grant(Role.ADMIN), trust_id=other.id),
    )

    doc = schedule_page(client, f"?school={spread['P-SOON'].school_id}")
    exported = csv_of(client.get("/schedule.csv"))

    assert schedule_rows(doc) == [["No policy matches."]]
    assert exported == [list(SCHEDULE_COLUMNS)]


def test_the_csv_has_the_documented_columns_and_neutralises_formulas(
    client: TestClient, session: Session, oak: School
) -> None:
    url = uploaded(
        client,
        schedule_csv(
            f'HR-01,"=HYPERLINK(""http://evil.example"")",people-and-hr,12,Oak Primary,'
            f"+44 Head,{day(10).isoformat()}",
            "HR-02,@SUM(A1:A2) policy,other,24,,-1 Deputy,",
        ),
    )
    assert do_import(client, url).status_code == 303

    response = client.get("/schedule.csv")

    assert response.status_code == 200
    assert f"policy-schedule-{today().isoformat()}.csv" in response.headers["content-disposition"]
    header, first, second = csv_of(response)
    assert header == list(SCHEDULE_COLUMNS)
    assert dict(zip(header, first, strict=True)) == {
        "reference": "HR-01",
        "title": '\'=HYPERLINK("http://evil.example")',
        "category": "people-and-hr",
        "school": "Oak Primary",
        "owner": "'+44 Head",
        "review_cycle_months": "12",
        "next_review_date": day(10).isoformat(),
        "statutory": "false",
        "review": "coming-up",
        "last_approved_at": "",
        "last_approved_by": "",
        "assessment": "",
    }
    assert (second[1], second[4], second[8]) == ("'@SUM(A1:A2) policy", "'-1 Deputy", "")


def test_a_retired_policy_has_no_review_overdue(client: TestClient, session: Session) -> None:
    retired = make_policy(session, reference="OLD-1", title="Retired policy", status="retired")
    retired.next_review_date = day(-30)
    session.add(retired)
    session.commit()

    everything = review_column(schedule_page(client))
    overdue = review_column(schedule_page(client, "?due=overdue"))

    assert "Overdue" not in everything["OLD-1"]
    assert overdue == {}
