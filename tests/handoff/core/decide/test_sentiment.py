import pytest

from handoff.core.decide.sentiment import score


def test_negative_text_scores_below_zero() -> None:
    assert score("This is terrible, I am furious and nothing works") < -0.5


def test_positive_text_scores_above_zero() -> None:
    assert score("Thanks, that worked perfectly, you are great!") > 0.5


def test_empty_text_is_neutral() -> None:
    assert score("") == 0.0
    assert score("   ") == 0.0


def test_each_language_is_scored_with_its_own_words() -> None:
    negative = {"es": "esto es una estafa, pésimo servicio, estoy harto", "fr": "c'est nul, vraiment lamentable",
                "de": "das ist eine Frechheit, total nutzlos", "pt": "péssimo atendimento, que porcaria"}
    positive = {"es": "genial, muchas gracias, perfecto", "fr": "super, merci, c'est parfait",
                "de": "super, vielen Dank, perfekt", "pt": "ótimo, obrigado, resolvido"}
    for lang in negative:
        assert score(negative[lang], lang) < -0.5, lang
        assert score(positive[lang], lang) > 0.5, lang


def test_english_words_do_not_score_other_languages() -> None:
    assert score("Wo finde ich die Rechnung?", "en") < -0.3  # VADER's reading of the article "die"
    assert score("Wo finde ich die Rechnung?", "de") == 0.0


def test_negation_turns_a_word_round() -> None:
    assert score("no es malo", "es") > 0 > score("es malo", "es")
    assert score("das ist nicht gut", "de") < 0 < score("das ist gut", "de")


def test_a_leading_no_that_answers_the_bot_says_nothing_of_mood() -> None:
    # VADER scores "no" and lets it negate the next words: "No I'd like ..." came out at -0.51
    assert score("No I'd like you to book the Ashley Hotel for 5 nights starting on Tuesday.", "en") > 0
    assert score("No issues, thank you very much.", "en") > 0
    assert score("No, es horrible", "es") < -0.4  # the rest of the message is still read
    assert score("No! this is terrible", "en") < -0.4
    assert score("No one helps me here, this is awful", "en") < -0.4  # "no one" is not an answer


@pytest.mark.parametrize(("text", "language"), [
    ("I am also looking for information about a restaurant called ugly duckling.", "en"),
    ("The song is called Bad Habit.", "en"),
    ("the place is called Bad Harvest Museum, is it open?", "en"),
    ("quiero ver una película llamada Odio y Muerte", "es"),
    ("ein Film namens Stirb langsam, geht das?", "de"),
])
def test_the_name_of_a_place_or_a_song_says_nothing_of_mood(text: str, language: str) -> None:
    assert score(text, language) == 0.0


@pytest.mark.parametrize("text", [
    "I called twice and the agent was terrible",
    "I was called an idiot by your agent",
    "my app is called Dead Simple Notes and it crashes constantly, this is awful",
])
def test_naming_words_in_other_senses_keep_their_mood(text: str) -> None:
    assert score(text, "en") < -0.3
