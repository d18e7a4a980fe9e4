"""One way for each thing, checked on the source (AST): statuses change only in service functions, a
claim's status only in payments/services.py, and apps import each other in one direction only."""

import ast
import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
APPS = ["portal", "accounts", "home", "library", "events", "payments", "payouts", "opportunities"]
# What each app may import from the others (docs/architecture.md draws the same arrows).
MAY_IMPORT = {
    "portal": set(),
    "accounts": {"portal"},
    "home": {"portal", "accounts"},
    "library": {"portal", "accounts", "home"},
    "events": {"portal", "accounts", "home"},
    "payments": {"portal", "accounts", "home", "events"},  # events only for its attendance signal
    "payouts": {"portal", "accounts", "home", "payments"},
    # Nothing imports opportunities: it adds to the home page through the `home_page_sections` hook,
    # and payments knows the opportunity a role came from only as a page (a string foreign key).
    "opportunities": {"portal", "accounts", "home", "payments"},
}
# portal/urls.py mounts every app's URLs and the API router lists their endpoints: the one place allowed
# to look upwards. Demo loading names each app's demo module by string, not by import.
UPWARD_ALLOWED = {"portal/urls.py", "portal/api.py"}


def source_files():
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" not in path.parts:
                yield app, path, ast.parse(path.read_text(), filename=str(path))


def is_service_module(path):
    relative = path.relative_to(ROOT).as_posix()
    return relative.endswith("/services.py") or "/services/" in relative


def status_changes(tree):
    """(line, text) of every assignment to `.status` and every queryset update(status=...)."""
    for node in ast.walk(tree):
        targets = []
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, ast.AugAssign | ast.AnnAssign):
            targets = [node.target]
        for target in targets:
            if isinstance(target, ast.Attribute) and target.attr == "status":
                yield node.lineno, ast.unparse(target)
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        updates = isinstance(func, ast.Attribute) and func.attr in {"update", "update_or_create"}
        if updates and any(k.arg == "status" for k in node.keywords):
            yield node.lineno, ast.unparse(func)
        named_status = (
            len(node.args) > 1 and isinstance(node.args[1], ast.Constant) and node.args[1].value == "status"
        )
        if isinstance(func, ast.Name) and func.id == "setattr" and named_status:
            yield node.lineno, ast.unparse(node)


def test_statuses_change_only_in_service_functions():
    outside = [
        f"{path.relative_to(ROOT)}:{line} {text}"
        for _app, path, tree in source_files()
        if not is_service_module(path)
        for line, text in status_changes(tree)
    ]
    assert outside == [], "views, admin and models call a service instead:\n" + "\n".join(outside)


def test_a_claims_status_changes_only_in_payments_services():
    claims_service = ROOT / "payments" / "services.py"
    elsewhere = [
        f"{path.relative_to(ROOT)}:{line} {text}"
        for _app, path, tree in source_files()
        if path != claims_service
        for line, text in status_changes(tree)
        if "claim" in text.lower()
    ]
    assert elsewhere == [], "claims change status only in payments/services.py:\n" + "\n".join(elsewhere)


def test_an_applications_status_changes_only_in_opportunities_services():
    applications_service = ROOT / "opportunities" / "services.py"
    elsewhere = [
        f"{path.relative_to(ROOT)}:{line} {text}"
        for app, path, tree in source_files()
        if app == "opportunities" and path != applications_service
        for line, text in status_changes(tree)
    ]
    assert elsewhere == [], "applications change status only in opportunities/services.py:\n" + "\n".join(
        elsewhere
    )


def test_the_check_finds_what_it_looks_for():
    tree = ast.parse(
        "claim.status = 'paid'\n"
        "InvolvementClaim.objects.filter(pk=1).update(status='paid')\n"
        "setattr(item.claim, 'status', 'paid')\n"
        "claim.notes = 'x'\n"
    )
    assert [line for line, _text in status_changes(tree)] == [1, 2, 3]


def imported_apps(tree):
    for node in ast.walk(tree):
        names = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        for name in names:
            top = name.split(".")[0]
            if top in MAY_IMPORT:
                yield node.lineno, top


@pytest.mark.parametrize("app", APPS)
def test_apps_import_each_other_one_way(app):
    wrong = [
        f"{path.relative_to(ROOT)}:{line} imports {other}"
        for owner, path, tree in source_files()
        if owner == app and path.relative_to(ROOT).as_posix() not in UPWARD_ALLOWED
        for line, other in imported_apps(tree)
        if other != app and other not in MAY_IMPORT[app]
    ]
    assert wrong == [], "\n".join(wrong)
