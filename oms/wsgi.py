import os

from django.core.wsgi import get_wsgi_application

from oms.background import serve

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "oms.settings")

application = get_wsgi_application()
# Only a web process (gunicorn, runserver) loads this module: without a broker, its tasks and
# sweeps run in the background runner, never inside a request.
serve()
