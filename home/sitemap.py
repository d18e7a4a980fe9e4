"""/sitemap.xml: every live public page of the site (Wagtail's sitemap), each with when it last changed."""

from wagtail.contrib.sitemaps import Sitemap


class PageSitemap(Sitemap):
    """Wagtail's sitemap, where a page that was published without a revision (made in code, e.g. demo
    content) dates from its first publication instead of going without a date."""

    def _urls(self, page, protocol, domain):
        urls = []
        for item in self.paginator.page(page).object_list.iterator():
            for url_info in item.get_sitemap_urls(self.request):
                if url_info.get("lastmod") is None:
                    url_info["lastmod"] = item.first_published_at
                urls.append(url_info)
        last_mods = [url_info["lastmod"] for url_info in urls]
        if last_mods and None not in last_mods:
            self.latest_lastmod = max(last_mods)
        return urls
