"""What a reply can say back to the client: the pet, its kind, and when it happened.

A reply that restates "what happened to Bella this morning" shows the client they were
read; "your issue" shows the opposite. These details are taken from the message with
spaCy matchers over the lexicon in `lexicon/<lang>.yml`, and only when the evidence is
plain ("my dog Bella", "our Milo"): a wrong name in a reply is worse than none, so an
unclear case falls back to "your dog".
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import yaml
from spacy.matcher import Matcher, PhraseMatcher

from ..nlp import lemmatizer, lock, pipeline, processing

CASES = ("nomn", "gent", "datv", "accs", "ablt", "loct")


@lru_cache(maxsize=None)
def lexicon(lang: str) -> dict:
    with resources.files("coach.suggest").joinpath(f"lexicon/{lang}.yml").open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


@dataclass(frozen=True)
class Details:
    lang: str
    pet: str | None         # the pet's name, nominative, as the client writes it
    species: str            # dog | cat | rabbit | pet
    when: str | None        # a time phrase from the message, lower case

    def pet_slots(self) -> dict[str, str]:
        """The pet's name for every slot of the move files (inflected for Russian)."""
        lex = lexicon(self.lang)
        if self.lang == "en":
            if self.pet:
                poss = f"{self.pet}'" if self.pet.endswith("s") else f"{self.pet}'s"
                return {"pet": self.pet, "pets": poss, "Pet": self.pet, "Pets": poss}
            d = lex["default_pet"][self.species]
            return {"pet": d["name"], "pets": d["possessive"], "Pet": d["name"].capitalize(),
                    "Pets": d["possessive"].capitalize()}
        generic = lex["default_pet"][self.species]
        forms = inflect_name(self.pet, generic) if self.pet else dict(generic)
        slots = {f"pet_{case}": forms[case] for case in CASES}
        slots.update({f"Pet_{case}": _cap(forms[case]) for case in CASES})
        return slots


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _noun_parse(word: str):
    """pymorphy3's dictionary reading of a word as a name or a noun, or None: a guessed
    reading of an unknown word ("Ричи" as a verb, "Альфу" as masculine "Альф") would
    put a wrong name in the reply."""
    morph = lemmatizer("ru")._morph
    if not morph.word_is_known(word.lower()):
        return None
    for p in morph.parse(word.lower()):
        if "Name" in p.tag or p.tag.POS == "NOUN":
            return p
    return None


def inflect_name(name: str, generic: dict[str, str]) -> dict[str, str]:
    """A Russian pet name in six cases. A name pymorphy3 knows is inflected ("с Бусей");
    any other stays in the nominative after the generic phrase, as an apposition
    ("с вашей собакой Ричи"), which is correct Russian and never misnames the pet."""
    best = _noun_parse(name)
    forms = [best.inflect({case, "sing"}) if best is not None else None for case in CASES]
    if best is None or not all(forms):
        return {case: f"{generic[case]} {name}" for case in CASES}
    out = {case: (_cap(f.word) if name[:1].isupper() else f.word) for case, f in zip(CASES, forms)}
    out["nomn"] = name
    return out


def prev_is_nominative(doc, s: int) -> bool:
    """"кот Барсик", "моя собака Ричи": the name after a nominative pet word is itself
    nominative, whatever pymorphy3 knows of it."""
    prev = doc[s].lower_
    return any(p.tag.case == "nomn" and p.tag.POS in ("NOUN", "ADJF", "NPRO")
               for p in lemmatizer("ru")._morph.parse(prev)[:1])


class DetailFinder:
    """Finds the details of one language's messages."""

    def __init__(self, lang: str):
        self.lang = lang
        self.nlp = pipeline(lang)
        with lock(lang):    # the matchers' strings are permanent: not inside another thread's zone
            self._build(lexicon(lang))

    def _build(self, lex: dict) -> None:
        lang = self.lang
        self._species = {lemma: kind for kind, words in lex["species"].items()
                         for lemma in (lemmatizer(lang).lemma(w) for w in words)}
        self._when = PhraseMatcher(self.nlp.vocab, attr="LOWER")
        self._when.add("when", [self.nlp.make_doc(w) for w in lex["when"]])
        self._not_names = frozenset(lex["not_names"])
        name = {"IS_TITLE": True, "IS_ALPHA": True}
        self._names = Matcher(self.nlp.vocab)
        # the name is the last token of the first two patterns and the first of the third
        self._names.add("after", [[{"LOWER": {"IN": [w.lower() for w in lex["name_after"]]}}, name]])
        self._names.add("verb", [[{"LEMMA": {"IN": lex.get("name_verbs", [])}}, name]])
        self._names.add("owner", [[name, {"LOWER": {"IN": ["'s", "’s"]}},
                                   {"LEMMA": {"IN": lex.get("name_owns", [])}}]])

    def find(self, message: str, pet_name: str | None = None) -> Details:
        with processing(self.lang) as nlp:
            doc = nlp(message)
            species = next((self._species[t.lemma_] for t in doc if t.lemma_ in self._species), "pet")
            spans = sorted(((e - s, s, e) for _, s, e in self._when(doc)), reverse=True)
            when = doc[spans[0][1]:spans[0][2]].text.lower() if spans else None
            pet = pet_name.strip() if pet_name and pet_name.strip() else self._name(doc)
            return Details(self.lang, pet, species, when)

    def _name(self, doc) -> str | None:
        """The pet's name where the message makes it plain: "my dog Bella", "walked
        Milo", "Rex's lead", "мою собаку Бусю" (-> Буся); people's names are not taken
        from elsewhere. Dictionary words are refused in English ("my Mum")."""
        known = lemmatizer(self.lang).is_known
        for match_id, s, e in sorted(self._names(doc), key=lambda m: m[1]):
            kind = self.nlp.vocab.strings[match_id]
            tok = doc[s] if kind == "owner" else doc[e - 1]
            word = tok.text
            if len(word) < 2 or word in self._not_names or word.isupper():
                continue
            if self.lang == "en":
                # "my dog Rex" is plain; "my Mum" is not a pet: after "my"/"our" only a
                # word outside the dictionary counts
                if kind == "after" and doc[s].lower_ in ("my", "our") and known(word.lower()):
                    continue
                return word
            if kind == "after" and prev_is_nominative(doc, s):
                return word
            parse = _noun_parse(word)
            if parse is not None:
                return _cap(parse.normal_form)
        return None
