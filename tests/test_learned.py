"""The checker's learned layer: what it adds to the rules, how it is stored and loaded,
and that its run-time scoring is the trained scikit-learn model's."""
import json
import shutil

import numpy as np
import pytest

from coach import Coach
from coach.classify.artefact import ArtefactError
from coach.nlp import pipeline
from coach.rules import train_model
from coach.rules.model import PhraseModel

# Paraphrases no rule covers; the layer flags the sentence (level "warning").
PARAPHRASES = [
    ("From next week on I will be on time for every single walk, without exception.", "false_promise",
     "From next week on I will be on time for every single walk, without exception", "en"),
    ("Trust me, your cat will be walked solo every day from now on.", "false_promise",
     "Trust me, your cat will be walked solo every day from now on", "en"),
    ("Клянусь, с этого дня ваш пёс будет гулять ровно по часу каждый день.", "false_promise",
     "Клянусь, с этого дня ваш пёс будет гулять ровно по часу каждый день", "ru"),
]


@pytest.mark.parametrize("draft,category,span,lang", PARAPHRASES)
def test_layer_flags_a_paraphrase_the_rules_miss(coach, draft, category, span, lang):
    assert not [f for f in Coach(learned=False).check(draft) if f.category == category]
    found = [f for f in coach.check(draft) if f.category == category]
    assert [f.text for f in found] == [span]
    f = found[0]
    assert f.rule == f"{lang}.{category}.learned" and f.level == "warning"
    assert draft[f.start:f.end] == f.text and f.message and f.suggestions


@pytest.mark.parametrize("draft", [
    "Hi Dana, thank you for telling me. I'm so sorry Milo came back with a sore paw; I've passed this to our "
    "senior managers and one of them will call you within 24 hours. Would a call or an email suit you better?",
    "Здравствуйте, Анна! Спасибо, что написали. Мне очень жаль, что Бусю не выгуляли утром. Я сегодня же "
    "перенесу прогулку на удобное вам время. Во сколько вам удобно?",
])
def test_layer_stays_quiet_on_constructive_replies(coach, draft):
    assert coach.check(draft) == []


def test_layer_does_not_flag_inside_quotes(coach):
    draft = 'You wrote "from now on I will be on time for every single walk" — fair enough, here is the rota.'
    assert not [f for f in coach.check(draft) if f.rule.endswith(".learned")]


@pytest.mark.parametrize("with_vectors", [False, True])
def test_runtime_scores_equal_the_trained_pipeline(with_vectors):
    """PhraseModel (JSON weights, hashed features, lemma vectors) must score a clause
    exactly as the scikit-learn model it was exported from. The lemma vectors here are
    seeded random rows over the examples' own lemmas: the test is about the export."""
    lang = "en"
    prepared = train_model.rule_examples(lang)
    vectors = None
    if with_vectors:
        lemmas = sorted({w for p in prepared for w in p.lemmas if w.isalpha()})
        table = np.random.default_rng(0).normal(size=(len(lemmas), train_model.DIMS)).astype(np.float32)
        vectors = ({w: i for i, w in enumerate(lemmas)}, table)
    fitted = train_model.fit(prepared, "sentence", 0.3, vectors)
    spec = train_model.spec_of(fitted, lang, "sentence", {c: 0.5 for c in train_model.CATEGORIES}, "x.npz")
    assert ("dense" in spec) == with_vectors
    model = PhraseModel(json.loads(json.dumps(spec)), pipeline(lang).vocab.strings, vectors=vectors)
    for p in prepared[:60]:
        units = p.units["sentence"]
        if not units:
            continue
        ours = model.scores(p.doc, units)
        theirs = fitted.predict_proba([(p.features(s, e), p.dense(s, e, vectors) if vectors else None)
                                       for s, e in units])
        np.testing.assert_allclose(ours, theirs, atol=2e-3)


def test_a_tampered_model_file_is_refused(tmp_path):
    for name in ("severity", "tone", "category", "draft_tone", "checker"):
        shutil.copytree(f"models/{name}", tmp_path / name)
    path = tmp_path / "checker" / "en.json"
    spec = json.loads(path.read_text(encoding="utf-8"))
    spec["bias"][0] += 5.0
    path.write_text(json.dumps(spec), encoding="utf-8")
    with pytest.raises(ArtefactError, match="sha256"):
        Coach(models=tmp_path).check("You are late again.", lang="en")
