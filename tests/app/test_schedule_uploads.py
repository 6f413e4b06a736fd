"""Uploading a policy schedule: files that cannot be read refused on the form next to the
field, the upload's size, name and CSRF token, its file closed once answered, and another
trust's records never touched."""

from __future__ import annotations

import gc
import io
import warnings
import zipfile

import httpx2
import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from assessments.kernel.actors import Grant, Role
from assessments.models import (
    Policy,
    PolicyCategory,
    PolicyStatus,
    ScheduleUpload,
    School,
)
from assessments.people import accounts
from tests.app.pages import (
    csrf_cookie,
    error_for,
    error_summary,
    page,
    post_form,
    title,
)
from tests.app.schedule_pages import (
    HEADER,
    changes,
    counts,
    csv_of,
    do_import,
    elm,
    oak,
    policies,
    preview,
    problems,
    schedule_csv,
    schedule_page,
    schedule_rows,
    shown_day,
    upload,
    upload_count,
    uploaded,
)
from tests.factories.people import make_person
from tests.factories.spreadsheets import xlsx
from tests.factories.versions import make_draft, make_version

__all__ = ["elm", "oak"]  # the fixtures


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
    assert exported["TL-001"][-3:] == [
        approved.decided_at.isoformat(),
        "Pat Approver",
        "approved",
    ]
    assert exported["TL-002"][-3:] == ["", "", "draft"]
