"""Embedded mode on one machine: `make run`."""

from .base import *  # noqa: F403
from .base import env_bool

DEBUG = env_bool("DJANGO_DEBUG", True)
SECRET_KEY = SECRET_KEY or "fengqiao-local-development-key-not-for-production"  # noqa: F405
