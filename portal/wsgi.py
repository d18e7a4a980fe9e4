import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.dev")

application = get_wsgi_application()

# Everything loaded so far (Django, Wagtail, the models, the URL patterns) lives as long as the
# process. Moving it out of the garbage collector's view means a collection only walks what requests
# create: without it, the periodic full collections walked every module's objects and took about a
# third of a rendered page's time. (A common setting for long-running Python web servers.)
gc.freeze()
