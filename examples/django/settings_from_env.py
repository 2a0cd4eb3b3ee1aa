"""Django email settings from the SMTP_* variables that `smtpops exec` sets.

In settings.py: ``from settings_from_env import *`` (this file on the Python path), then run
the CRM as ``smtpops exec production -- gunicorn crm.wsgi``. The password exists only in
the process environment, decrypted by smtpops in memory.
"""

import json
import os

EMAIL_BACKEND = "smtpops_mail.EmailBackend"
EMAIL_HOST = os.environ["SMTP_HOST"]
EMAIL_PORT = int(os.environ["SMTP_PORT"])
EMAIL_HOST_USER = os.environ.get("SMTP_USERNAME", "")
EMAIL_HOST_PASSWORD = os.environ.get("SMTP_PASSWORD", "")
EMAIL_USE_TLS = os.environ["SMTP_TLS"] == "STARTTLS"
EMAIL_USE_SSL = os.environ["SMTP_TLS"] == "SSL/TLS"
EMAIL_TIMEOUT = int(os.environ["SMTP_WAIT_TIMEOUT"])
DEFAULT_FROM_EMAIL = os.environ.get("SMTP_FROM_ADDRESS") or EMAIL_HOST_USER
SMTPOPS_HELO_HOSTNAME = os.environ.get("SMTP_HELO_HOSTNAME")
SMTPOPS_AUTH_PROTOCOL = os.environ.get("SMTP_AUTH_PROTOCOL")
SMTPOPS_EMAIL_HEADERS = json.loads(os.environ.get("SMTP_CUSTOM_HEADERS") or "{}")
SMTPOPS_CA_FILE = os.environ.get("SMTP_CA_FILE") or None
SMTPOPS_VERIFY_CERTIFICATE = os.environ.get("SMTP_VERIFY_CERTIFICATE", "true") == "true"
