"""Flask extensions, created unbound here and bound to the app in `create_app`."""

from __future__ import annotations

from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_smorest import Api
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect

from sync.db import Base


class JsonErrorApi(Api):
    """flask-smorest documenting our error body (`{"error": {code, message, fields}}`, see server/errors.py)
    for every error response, instead of its own `{code, status, message}` that we never send."""

    def _register_responses(self) -> None:
        from server.api.schemas import ApiErrorSchema  # here: server.api imports this module

        self.ERROR_SCHEMA = ApiErrorSchema
        super()._register_responses()


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
babel = Babel()
login_manager = LoginManager()
csrf = CSRFProtect()
api = JsonErrorApi()
limiter = Limiter(key_func=get_remote_address, default_limits=[])
