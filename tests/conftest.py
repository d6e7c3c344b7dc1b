"""App fixtures: a fresh database per test, SQLite by default, PostgreSQL when TEST_DATABASE_URL is set."""

import os

import pytest
from sqlalchemy import text

from eventapp import create_app
from eventapp.extensions import db
from eventapp.models import User


def _database_url(tmp_path) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        return f"sqlite:///{tmp_path / 'test.sqlite'}"
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return url


@pytest.fixture
def app(tmp_path):
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test",
            "SQLALCHEMY_DATABASE_URI": _database_url(tmp_path),
            "WTF_CSRF_ENABLED": False,
        }
    )
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            # A clean schema per test: other runs may have left tables behind.
            with db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        db.create_all()
        yield app
        db.session.remove()
        if db.engine.dialect.name == "postgresql":
            db.drop_all()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def make_user(app):
    def make(email="organiser@example.com", password="secret-pass", role="organiser"):
        user = User(email=email, name=email.split("@")[0], role=role)
        user.set_password(password)
        db.session.add(user)
        db.session.commit()
        return user

    return make


class Auth:
    def __init__(self, client, make_user):
        self._client = client
        self._make_user = make_user

    def login(self, role="organiser"):
        email = f"{role}@example.com"
        self._make_user(email=email, role=role)
        return self._client.post("/login", data={"email": email, "password": "secret-pass"})

    def logout(self):
        return self._client.post("/logout")


@pytest.fixture
def auth(client, make_user):
    return Auth(client, make_user)
