"""Serentak: run the Facebook Pages of every unit of a government institution together."""

from serentak.celery import app as celery_app

__all__ = ["celery_app"]
