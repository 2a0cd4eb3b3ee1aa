"""The SMTP Settings page (``smtpops ui``): the HTTP layer over :mod:`smtpops.services`.

Routes, templates and static assets only; every use case lives in the services. Installed
with the ``ui`` extra (``pip install 'smtpops[ui]'``: Starlette and uvicorn).
"""
