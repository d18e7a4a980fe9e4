import io

from django.core.management import call_command
from django.urls import reverse

from accounts.models import User
from payments import bench, demo, reports
from payments.models import InvolvementClaim, PolicyVersion
from payouts import demo as payouts_demo


class FakeCommand:
    def __init__(self):
        self.stdout = io.StringIO()


def test_demo_data_has_two_versions_and_claims_in_every_status(db, client):
    # The payments demo, then the payouts demo that pays its "paid" claim; twice, to show both idempotent.
    for _ in range(2):
        demo.load(FakeCommand(), {})
        payouts_demo.load(FakeCommand(), {})
    versions = PolicyVersion.objects.order_by("effective_from")
    assert [v.rate_for("meeting").hourly_rate for v in versions] == [25, 27.5]
    contributor = User.objects.get(email="contributor@example.org")
    claims = InvolvementClaim.objects.filter(contributor=contributor)
    assert sorted(claims.values_list("status", flat=True)) == sorted(InvolvementClaim.Status.values)
    # The paid March 2025 claim used the old version; the January 2026 one the new.
    assert claims.get(status="paid").policy_version == versions[0]
    assert claims.get(status="approved").policy_version == versions[1]
    client.force_login(contributor)
    assert client.get(reverse("payments:my_involvement")).status_code == 200
    for claim in claims:
        assert client.get(reverse("payments:claim_detail", args=[claim.pk])).status_code == 200
    client.force_login(User.objects.get(email="coordinator@example.org"))
    home = client.get(reverse("wagtailadmin_home")).content.decode()
    assert "1 approved claim not paid within the policy" in home
    assert client.get(reverse("payments_claims:reports")).status_code == 200
    assert client.get(versions[0].policy_page.url).status_code == 200


def test_load_demo_data_command_runs(db):
    out = io.StringIO()
    call_command("load_demo_data", stdout=out)
    assert "Payments: policy" in out.getvalue()


def test_bench_setup_is_idempotent_and_the_report_measurement_runs(db, monkeypatch):
    monkeypatch.setattr(bench, "TARGET", 60)
    monkeypatch.setattr(bench, "BATCH", 25)
    monkeypatch.setattr(bench, "CONTRIBUTORS", 7)
    out = io.StringIO()
    bench.setup(out)
    bench.setup(out)
    assert InvolvementClaim.objects.filter(project=bench.BENCH_PROJECT).count() == 60
    [(name, measure)] = bench.measurements()
    assert name == "tax-year report, 100,000 claims"
    result = measure()
    assert sum(row["claims"] for row in result["per_activity"]) == reports.approved_claims().count() > 0
