"""The admin API (docs/api.md): FastAPI on hypercorn's trio server, in the engine's process."""

from ccengine.api._app import create_app, openapi_document
from ccengine.api._auth import Caller
from ccengine.api._ratelimit import LoginLimiter, LoginLimits
from ccengine.api._server import ApiServer
from ccengine.api._services import ApiSettings, Services
from ccengine.api._users import add_user

__all__ = ["ApiServer", "ApiSettings", "Caller", "LoginLimiter", "LoginLimits", "Services", "add_user", "create_app",
           "openapi_document"]
