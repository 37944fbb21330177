import pytest
from django.core.management import call_command

pytest_plugins = ("tests.processes",)


@pytest.fixture(scope="session", autouse=True)
def one_torch_thread():
    """Demos run on the thread count the worker uses (DEMO_TORCH_THREADS), fast and reproducible."""
    import torch
    from django.conf import settings

    torch.set_num_threads(settings.DEMO_TORCH_THREADS)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Every test database starts with the real knowledge base loaded from kb/content."""
    with django_db_blocker.unblock():
        call_command("load_kb", verbosity=0)


@pytest.fixture(autouse=True)
def knowledge_base_in_transactional_tests(request):
    """Transactional tests (run last by pytest-django) empty the database when they end; the next one
    reloads the knowledge base before it starts."""
    marker = request.node.get_closest_marker("django_db")
    if marker and marker.kwargs.get("transaction"):
        request.getfixturevalue("transactional_db")
        from kb.models import Concept

        if not Concept.objects.exists():
            call_command("load_kb", verbosity=0)


@pytest.fixture
def unused_tcp_port():
    """A loopback port nothing listens on (bound and released by the OS)."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
