"""The test suite: fast hashing, in-memory mail, the database from DATABASE_URL."""

from .base import *  # noqa: F403

SECRET_KEY = "fengqiao-test-key"
DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
FENGQIAO_WEBHOOK_URLS: list[str] = []
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
