"""Fixtures for the portal's page tests (Django's test client). Personal pages reuse ``learner_client``."""

import pytest

from common import accounts
from tests.portal.helpers import PASSWORD


@pytest.fixture
def learner(db):
    user, _token = accounts.register("ada", PASSWORD)
    return user


@pytest.fixture
def learner_client(client, learner):
    client.force_login(learner)
    return client


@pytest.fixture
def other_learner(db):
    user, _token = accounts.register("grace", PASSWORD)
    return user
