"""The REST API and the web portal (``nqpf serve``): a thin FastAPI shell over the services.

>>> from nqpf.api import create_app
>>> app = create_app("sqlite://")
>>> app.title
'NQPF API'
"""

from __future__ import annotations

from nqpf.api.app import create_app

__all__ = ["create_app"]
