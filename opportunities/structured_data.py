"""schema.org `JobPosting` data for an opportunity page (printed as JSON-LD by home's seo_head).

Only while the opportunity is open: a closed one stays readable, but search engines are no longer told
it is taking applications. An online role is a remote one (TELECOMMUTE, in the United Kingdom); a
voluntary role says VOLUNTEER.
"""

from django.utils import timezone

from home import seo

from .choices import Format


def job_posting(opportunity, request):
    if not opportunity.is_open():
        return None
    settings_ = seo.site_settings(request)
    organisation = seo.organization(request, settings_, with_context=False)
    if opportunity.contact_email:
        organisation["email"] = opportunity.contact_email
    description = " ".join(part for part in (opportunity.summary, opportunity.who_for) if part)
    data = {
        "@context": "https://schema.org",
        "@type": "JobPosting",
        "title": opportunity.title,
        "description": seo.trim(opportunity.search_description or description, 1000),
        "url": opportunity.get_full_url(request),
        "datePosted": timezone.localdate(opportunity.first_published_at or timezone.now()).isoformat(),
        "validThrough": f"{opportunity.closing_date.isoformat()}T23:59:59",
        "employmentType": ["PART_TIME", "TEMPORARY"] if opportunity.is_paid else ["VOLUNTEER"],
        "hiringOrganization": organisation,
        "directApply": True,
        "inLanguage": "en-GB",
    }
    if opportunity.starts_on:
        data["jobStartDate"] = opportunity.starts_on.isoformat()
    if opportunity.format == Format.ONLINE:
        data["jobLocationType"] = "TELECOMMUTE"
        data["applicantLocationRequirements"] = {"@type": "Country", "name": "United Kingdom"}
    else:
        data["jobLocation"] = {
            "@type": "Place",
            "address": {
                "@type": "PostalAddress",
                "addressLocality": seo.plain_text(opportunity.location) or "United Kingdom",
                "addressCountry": "GB",
            },
        }
    return data
