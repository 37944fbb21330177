"""The study hot path (``GET /api/cards/due/``, ``POST /api/cards/<id>/review/``): a fixed number of queries
whatever the learner's cards, none after the review's commit, and interval previews stored when a card is scheduled
that read exactly as FSRS computes them now, also once the settings change. Speed itself is measured by
bench/load_bench.py."""

import contextlib
import uuid
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.db import DatabaseError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from cards import queries, scheduling, selectors
from cards.models import Card, FsrsState, ReviewLog
from cards.scheduling import preview_intervals, scheduler_from
from cards.serializers import CardSerializer, card_data
from common import sql
from kb.models import Concept

pytestmark = pytest.mark.django_db


def learner_with_cards(name: str, count: int) -> tuple[APIClient, list[Card]]:
    """A learner (authenticated by token, as real clients are) with ``count`` cards of every kind of the queue:
    new, in a learning step, reviews due and not yet due, buried, suspended; and a review today (bury siblings)."""
    owner = get_user_model().objects.create_user(name, password="pw")
    concepts = list(Concept.objects.order_by("slug")[:20])
    now = timezone.now()
    kinds = [
        {"state": FsrsState.LEARNING, "last_review": None, "due": now - timedelta(hours=1)},
        {
            "state": FsrsState.LEARNING,
            "step": 1,
            "stability": 1.0,
            "difficulty": 5.0,
            "due": now - timedelta(minutes=5),
        },
        {"state": FsrsState.REVIEW, "step": None, "stability": 20.0, "difficulty": 5.0, "due": now - timedelta(days=2)},
        {"state": FsrsState.REVIEW, "step": None, "stability": 30.0, "difficulty": 4.0, "due": now + timedelta(days=9)},
        {"state": FsrsState.REVIEW, "step": None, "stability": 9.0, "difficulty": 6.0, "due": now, "suspended": True},
        {
            "state": FsrsState.REVIEW,
            "step": None,
            "stability": 9.0,
            "difficulty": 6.0,
            "due": now,
            "buried_until": now.date() + timedelta(days=1),
        },
    ]
    cards = Card.objects.bulk_create(
        Card(
            owner=owner,
            concept=concepts[i % len(concepts)],
            key=f"hot:{i}",
            kind="definition",
            front=f"front {i}",
            back="back",
            **{"last_review": now - timedelta(days=10), **kinds[i % len(kinds)]},
        )
        for i in range(count)
    )
    Card.objects.filter(owner=owner).update(created_at=now - timedelta(days=60))
    ReviewLog.objects.create(
        owner=owner,
        card=cards[2],
        review_id=uuid.uuid4(),
        rating=3,
        reviewed_at=now - timedelta(minutes=1),
        state_before=FsrsState.REVIEW,
        state_after=FsrsState.REVIEW,
        due_before=now,
        due_after=now + timedelta(days=5),
        stability_after=20.0,
        difficulty_after=5.0,
    )
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=owner).key}")
    return client, cards


def queries_of(request) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        response = request()
    assert response.status_code == 200, response.content
    return [query["sql"] for query in captured.captured_queries]


def test_the_due_list_makes_the_same_few_queries_for_10_and_200_cards():
    small, _ = learner_with_cards("small", 10)
    large, _ = learner_with_cards("large", 200)
    # limit=200 reads every part of the queue (learning, reviews, new cards) for both learners
    few = queries_of(lambda: small.get("/api/cards/due/?limit=200"))
    many = queries_of(lambda: large.get("/api/cards/due/?limit=200"))
    assert len(many) == len(few) <= 7, many  # token, settings, counts, queue; new cards: ids, prerequisites, rows
    assert len(queries_of(lambda: large.get("/api/cards/due/?limit=20"))) <= len(many)
    assert len(large.get("/api/cards/due/?limit=20").json()) == 20


def test_a_review_makes_the_same_queries_for_10_and_200_cards_and_none_after_its_commit():
    small, small_cards = learner_with_cards("small", 10)
    large, large_cards = learner_with_cards("large", 200)
    body = {"rating": 3}
    few = queries_of(
        lambda: small.post(
            f"/api/cards/{small_cards[2].pk}/review/", {**body, "review_id": str(uuid.uuid4())}, format="json"
        )
    )
    many = queries_of(
        lambda: large.post(
            f"/api/cards/{large_cards[2].pk}/review/", {**body, "review_id": str(uuid.uuid4())}, format="json"
        )
    )
    assert len(many) == len(few), many
    statements = [sql for sql in many if not sql.startswith(("SAVEPOINT", "RELEASE SAVEPOINT"))]  # the test's own
    assert len(statements) <= 6, statements  # token, settings, card and review_id, load balancing, update, insert
    assert len(many) - len(statements) <= 2, "no savepoint inside a review"
    log_written = next(i for i, sql in enumerate(many) if sql.startswith('INSERT INTO "cards_reviewlog"'))
    assert not [sql for sql in many[log_written:] if sql.startswith("SELECT")], "no lazy loads after the commit"


def test_the_hot_path_reads_and_writes_the_same_whether_or_not_django_records_its_statements():
    """Unrecorded, ``common.sql`` runs statements on the driver's cursor; recorded (DEBUG, CaptureQueriesContext),
    through Django's. Both give the same due list, and the same review of two cards scheduled alike."""
    client, cards = learner_with_cards("someone", 12)
    reviewed_at = (timezone.now() - timedelta(seconds=5)).isoformat()
    results = []
    for card, recorded in ((cards[1], False), (cards[7], True)):  # both in their first learning step
        with CaptureQueriesContext(connection) if recorded else contextlib.nullcontext() as captured:
            due = client.get("/api/cards/due/?limit=20")
            review = {"rating": 2, "review_id": str(uuid.uuid4()), "reviewed_at": reviewed_at}
            reviewed = client.post(f"/api/cards/{card.pk}/review/", review, format="json")
        assert due.status_code == reviewed.status_code == 200, (due.content, reviewed.content)
        assert (captured is not None and len(captured) >= 8) == recorded
        log = ReviewLog.objects.get(card_id=card.pk)
        results.append(
            (
                [row for row in due.json() if row["id"] not in (cards[1].pk, cards[7].pk)],
                {**reviewed.json(), "id": None, "concept": None, "front": None},
                (log.state_before, log.state_after, log.due_after, log.stability_after, log.difficulty_after),
            )
        )
    assert results[0] == results[1]
    assert results[0][1]["reps"] == 1


def test_a_database_error_in_a_hand_written_statement_is_djangos_error():
    with pytest.raises(DatabaseError, match="no_such_table"), transaction.atomic():
        sql.rows("SELECT * FROM no_such_table WHERE id = %(id)s", {"id": 1})


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's own: CI's second pass runs it there")
def test_on_postgresql_the_hot_statements_are_prepared_once_per_connection():
    client, cards = learner_with_cards("regular", 10)
    for _ in range(6):  # psycopg prepares a statement on its 6th run on a connection (see the settings)
        assert client.get("/api/cards/due/?limit=20").status_code == 200
    for _ in range(6):
        review = {"rating": 3, "review_id": str(uuid.uuid4())}
        assert client.post(f"/api/cards/{cards[2].pk}/review/", review, format="json").status_code == 200
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared = [row[0] for row in cursor.fetchall()]
    hot = ('FROM "authtoken_token"', "UNION ALL", "COALESCE(SUM", "FOR UPDATE OF c", 'INSERT INTO "cards_reviewlog"')
    for part in hot:
        assert any(part in statement for statement in prepared), (part, prepared)


def test_the_review_answer_is_the_card_as_the_serializer_shows_it_with_its_retrievability(api, learner):
    _client, cards = learner_with_cards("someone", 6)
    Card.objects.filter(pk__in=[card.pk for card in cards]).update(owner=learner)
    review_id = str(uuid.uuid4())
    body = api.post(f"/api/cards/{cards[2].pk}/review/", {"rating": 2, "review_id": review_id}, format="json").json()
    card = Card.objects.get(pk=cards[2].pk)
    assert body == {**CardSerializer(card).data, "retrievability": selectors.retrievabilities(learner, [card])[0]}
    again = api.post(f"/api/cards/{cards[2].pk}/review/", {"rating": 2, "review_id": review_id}, format="json")
    assert again.json() == body  # the idempotent answer is the same


def test_the_lean_card_data_equals_the_serializer_for_every_kind_of_card():
    _client, cards = learner_with_cards("someone", 6)
    Card.objects.filter(pk=cards[3].pk).update(buried_until=timezone.now().date(), leech=True, lapses=8)
    for card in Card.objects.select_related("concept").filter(pk__in=[card.pk for card in cards]):
        assert card_data(card) == CardSerializer(card).data


@pytest.mark.parametrize("card", [2**63, 13673849615486998528, 10**30])
def test_a_card_id_beyond_64_bits_is_not_found_alone_or_in_a_batch(api, learner, card):
    single = api.post(f"/api/cards/{card}/review/", {"rating": 3, "review_id": str(uuid.uuid4())}, format="json")
    assert single.status_code == 404, single.json()
    reviews = [{"card": card, "rating": 3, "review_id": str(uuid.uuid4())}]
    batch = api.post("/api/reviews/batch/", {"reviews": reviews}, format="json")
    assert batch.status_code == 404 and "reviews.0" in batch.json()["errors"], batch.json()


def test_cards_read_by_hand_written_sql_equal_the_orms_field_by_field():
    _client, cards = learner_with_cards("someone", 12)
    today = timezone.now().date()
    Card.objects.filter(pk=cards[3].pk).update(buried_until=today, leech=True, lapses=8)
    Card.objects.filter(pk=cards[4].pk).update(previews={"key": {"again": 0.0069, "good": 3.5}})
    ids = [card.pk for card in cards]
    by_hand = queries.cards_by_id(ids)
    by_orm = Card.objects.select_related("concept").in_bulk(ids)
    assert [card.pk for card in by_hand] == ids
    for card in by_hand:
        orm = by_orm[card.pk]
        for field in Card._meta.concrete_fields:
            mine, theirs = getattr(card, field.attname), getattr(orm, field.attname)
            assert (mine, type(mine)) == (theirs, type(theirs)), field.name
        assert card.concept.slug == orm.concept.slug and card.concept.title_zh == orm.concept.title_zh
        assert card == orm and not card._state.adding


def test_stored_previews_are_what_fsrs_computes_and_are_not_computed_again(api, learner, monkeypatch):
    api.patch("/api/settings/scheduler/", {"bury_siblings": False}, format="json")  # every card in the list
    api.post("/api/cards/enroll/", {"concepts": ["adam"]}, format="json")
    first = Card.objects.filter(owner=learner).order_by("pk").first()
    api.post(f"/api/cards/{first.pk}/review/", {"rating": 3, "review_id": str(uuid.uuid4())}, format="json")
    first.refresh_from_db()
    shown_at = first.due + timedelta(minutes=1)
    scheduler = scheduler_from(selectors.settings_of(learner), fuzz=False)
    expected = {card.pk: preview_intervals(scheduler, card, shown_at) for card in Card.objects.filter(owner=learner)}
    computed = []
    real = scheduling.preview_intervals
    monkeypatch.setattr(scheduling, "preview_intervals", lambda *args: computed.append(args) or real(*args))
    due = selectors.due_cards(learner, 50, now=shown_at)
    assert {card.pk: intervals for card, intervals in due} == expected
    assert first.pk in expected and computed == []  # every card's previews were stored (enroll, review)


def test_previews_follow_a_settings_change_and_an_overdue_day(api, learner):
    api.post("/api/cards/enroll/", {"concepts": ["adam"]}, format="json")
    card = Card.objects.filter(owner=learner).order_by("pk").first()
    for _ in range(3):  # into review: the previews then depend on the days since the last review
        api.post(f"/api/cards/{card.pk}/review/", {"rating": 3, "review_id": str(uuid.uuid4())}, format="json")
        card.refresh_from_db()
    assert card.state == FsrsState.REVIEW and len(card.previews) == 2  # the day before it is due and the day from it
    stored = list(card.previews.values())
    response = api.patch("/api/settings/scheduler/", {"desired_retention": 0.8}, format="json")
    assert response.status_code == 200
    for shown_at in (card.due + timedelta(minutes=1), card.due + timedelta(days=4)):
        now_scheduler = scheduler_from(selectors.settings_of(learner), fuzz=False)
        shown = dict(selectors.due_cards(learner, 50, now=shown_at))
        assert shown[card] == preview_intervals(now_scheduler, card, shown_at)
    assert shown[card] not in stored
