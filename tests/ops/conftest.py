import pytest
from django.db import connection

from tests.ops.stack import collect_static, database_url, production_env


@pytest.fixture(scope="session")
def static_root(tmp_path_factory):
    """Static files collected with production settings, as the Dockerfile does at build."""
    root = tmp_path_factory.mktemp("static")
    env = production_env(
        "postgres://nobody@localhost/unused", static_root=root, private_root=root / "private"
    )
    collect_static(env)
    assert (root / "staticfiles.json").exists()
    return root


@pytest.fixture
def test_database_url(transactional_db) -> str:
    """pytest's test database, whose committed rows other processes can see."""
    return database_url(connection.settings_dict)


@pytest.fixture
def production(test_database_url, static_root, tmp_path) -> dict[str, str]:
    return production_env(test_database_url, static_root=static_root, private_root=tmp_path / "p")
