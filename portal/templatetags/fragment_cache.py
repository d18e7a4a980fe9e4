"""``{% stablecache "name" value ... %}…{% endstablecache %}``: a piece of a page rendered once and kept
until the site's content next changes (``portal.pagecache.site_generation``, which activity such as a
registration leaves alone).

The key is the name, the values given and the site generation, so give every value the piece shows
that is not content (a seat count, a flag). Never cached: previews (they show unpublished content),
and pieces rendered for a signed-in person (they may carry what is theirs). The CSRF placeholder of
cached pages is not a real token, so a piece holding a form's token may be cached too.
"""

from django import template

from portal import fragments

register = template.Library()


class StableCacheNode(template.Node):
    def __init__(self, nodelist, name, values):
        self.nodelist = nodelist
        self.name = name
        self.values = values

    def render(self, context):
        if not fragments.may_keep(context.get("request")):
            return self.nodelist.render(context)
        return fragments.kept(
            self.name.resolve(context),
            [value.resolve(context) for value in self.values],
            lambda: self.nodelist.render(context),
        )


@register.tag
def stablecache(parser, token):
    bits = token.split_contents()
    if len(bits) < 2:
        raise template.TemplateSyntaxError(
            '{% stablecache %} needs a name: {% stablecache "name" value ... %}'
        )
    nodelist = parser.parse(("endstablecache",))
    parser.delete_first_token()
    return StableCacheNode(
        nodelist, parser.compile_filter(bits[1]), [parser.compile_filter(b) for b in bits[2:]]
    )
