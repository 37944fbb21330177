from django.apps import AppConfig


class CardsConfig(AppConfig):
    name = "cards"
    verbose_name = "Flashcards"

    def ready(self):
        from cards.selectors import concepts_with_due_cards
        from quizzes.priorities import register_review_need

        register_review_need(concepts_with_due_cards)
