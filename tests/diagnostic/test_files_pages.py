"""Who gets what on "Files and reports" (/t/<slug>/files/): every role, the record-level data package for
coordinators and admins only, CSRF on the forms, and the links from the cockpit and the observers' workspace."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from consult.accounts.models import Role
from consult.diagnostic.models import ExportJob, JobStatus
from consult.extensions import db
from tests.conftest import PASSWORD, ROLES
from tests.diagnostic.conftest_jobs import exports, test_kinds  # noqa: F401  (fixtures)

FILES = "/t/terres-des-confluences/files/"
PAGE = {  # role -> (status of the page, the data package offered)
    "anonymous": (302, False), "participant": (403, False), "other_coordinator": (403, False),
    "observer": (200, False), "coordinator": (200, True), "admin": (200, True),
}


def jobs() -> list[ExportJob]:
    db.session.expire_all()
    return list(db.session.scalars(select(ExportJob)))


@pytest.mark.parametrize("role", ROLES)
def test_files_page_for_every_role(as_role, role):
    response = as_role(role).get(FILES)
    status, records = PAGE[role]
    assert response.status_code == status
    if role == "anonymous":
        assert "/account/login" in response.headers["Location"]
    if status != 200:
        return
    page = response.get_data(as_text=True)
    assert "Classeur du diagnostic" in page and f'action="{FILES}workbook"' in page
    assert f'action="{FILES}report"' in page and f'action="{FILES}action-plan"' in page
    assert (f'action="{FILES}datapackage"' in page) is records
    assert ('name="variant" value="k-anonymous" checked' in page) is records
    assert ("données individuelles" in page) is records


@pytest.mark.parametrize("role", ROLES)
def test_asking_for_a_published_file_for_every_role(as_role, role, exports):
    response = as_role(role).post(f"{FILES}sample", data={"fmt": "xlsx", "form_token": f"jeton-{role}"})
    if role in ("observer", "coordinator", "admin"):
        assert response.status_code == 302 and [j.status for j in jobs()] == [JobStatus.DONE]
    else:
        assert response.status_code == (302 if role == "anonymous" else 403) and jobs() == []


@pytest.mark.parametrize("role", ["observer", "other_coordinator", "participant"])
def test_record_level_data_refused_to_everyone_but_coordinators_and_admins(as_role, role, exports):
    client = as_role(role)
    for kind, fmt in (("datapackage", "zip"), ("sample-records", "csv")):
        response = client.post(f"{FILES}{kind}", data={"fmt": fmt, "variant": "pseudonymised"})
        assert response.status_code == 403
    assert jobs() == []


def test_unknown_file_or_format_is_a_404_and_asks_for_nothing(client, as_coordinator, exports):
    assert client.post(f"{FILES}sample", data={"fmt": "docx"}).status_code == 404
    assert client.post(f"{FILES}tout-le-territoire", data={"fmt": "xlsx"}).status_code == 404
    assert client.post(f"{FILES}sample").status_code == 404
    assert client.get(f"{FILES}jobs/0").status_code == 404
    assert jobs() == []


def test_forms_carry_a_csrf_token_and_are_refused_without_it(make_territory, make_user, test_kinds, tmp_path,
                                                             csrf_app):
    # csrf_app's context is pushed last: the factories write into its database
    csrf_app.config["EXPORT_DIR"] = str(tmp_path)
    user = make_user(role=(make_territory(), Role.COORDINATOR))
    client = csrf_app.test_client()
    login = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', client.get("/account/login").get_data(as_text=True))
    client.post("/account/login", data={"email": user.email, "password": PASSWORD, "csrf_token": login.group(1)})
    assert client.post(f"{FILES}sample", data={"fmt": "xlsx"}).status_code == 400
    assert jobs() == []
    page = client.get(FILES).get_data(as_text=True)
    form = re.search(rf'action="{FILES}sample">\s*<input type="hidden" name="csrf_token" value="([^"]+)">', page)
    assert client.post(f"{FILES}sample", data={"fmt": "xlsx", "csrf_token": form.group(1)}).status_code == 302
    assert len(jobs()) == 1


def test_cockpit_and_observers_workspace_link_to_the_files(client, as_coordinator, as_role):
    assert f'href="{FILES}"' in client.get("/t/terres-des-confluences/manage/").get_data(as_text=True)
    observer = as_role("observer")
    assert f'href="{FILES}"' in observer.get("/t/terres-des-confluences/observe/").get_data(as_text=True)
