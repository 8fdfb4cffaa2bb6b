"""The words a renderer adds around an answer's own text, per language: step connectives, the IVR's hand-off
to the website, the labels of links and key facts.

An answer in the knowledge base's language uses its channels' configured words (`channels/<name>.yaml`); a
translation (`language: es-US`, engine/locales.py) uses the table of its language here, so a Spanish answer is
heard as "Primero, cierre la llave de paso", not "First, cierre la llave de paso". A language with no table
keeps the configured words. Language names come from Babel's CLDR data.
"""
from __future__ import annotations

from dataclasses import dataclass

from babel import Locale as BabelLocale, UnknownLocaleError

from engine.select import View


@dataclass(frozen=True)
class Phrases:
    first: str
    next: str
    last: str
    handoff: str  # said before the site's address when detail is left out
    handoff_list: str  # said instead when what is left out is the list the short answer introduces
    full_answer: str  # the words before the link to the full answer
    key_facts: str  # the heading of the email's list of facts
    more: str  # the SMS's words before its link
    read_more: str  # the card's button to the full answer
    verbs: tuple[tuple[str, str], ...] = ()  # a card button's English verb -> this language's ("Call" -> ...)
    marks: tuple[tuple[str, str], ...] = ()  # how the phone line says a mark in an address ("." -> "punto")
    percent: str = "percent"  # said after a percentage
    joiner: str = "and"  # between dollars and cents
    money: tuple[tuple[str, tuple[str, str, str, str]], ...] = ()  # currency -> (one, many, cent, cents)
    call: str = "Questions? Call"  # a printed handout's words before the phone number
    page: str = "Page {page} of {pages}"  # a printed page's counter
    online: str = "Full answer online"  # a handout's words before the full answer's address
    image: str = "Image"  # before an image's description on paper
    answers: str = "{count} answers"  # a topic handout's count


TABLES = {
    "es": Phrases(first="Primero, ", next="Después, ", last="Por último, ",
                  handoff="Encontrará la respuesta completa en nuestro sitio web,",
                  handoff_list="Encontrará la lista completa en nuestro sitio web,",
                  full_answer="Respuesta completa", key_facts="Datos clave", more="Más:",
                  read_more="Leer la respuesta completa",
                  verbs=(("Call", "Llamar a"), ("Open", "Abrir"), ("Email", "Escribir a")),
                  marks=((".", "punto"), ("/", "barra"), ("-", "guion"), ("_", "guion bajo"), (":", "dos puntos"),
                         ("@", "arroba"), ("%", "por ciento"), ("&", "y"), ("+", "más")),
                  percent="por ciento", joiner="con",
                  money=(("USD", ("dólar", "dólares", "centavo", "centavos")),
                         ("EUR", ("euro", "euros", "céntimo", "céntimos"))),
                  call="¿Preguntas? Llame al", page="Página {page} de {pages}",
                  online="Respuesta completa en línea", image="Imagen",
                  answers="{count} respuestas"),
}


def base_language(tag: str) -> str:
    return tag.replace("_", "-").split("-")[0].lower()


def for_view(view: View, site_language: str) -> Phrases | None:
    """The phrase table of the answer's language when it is not the knowledge base's (None: the configured
    words)."""
    language = view.answer.language
    if not language or base_language(language) == base_language(site_language):
        return None
    return TABLES.get(base_language(language))


def verb(word: str, language: str) -> str:
    """A button's verb ("Call", "Open", "Email") in `language` (the locale's, which a translation sets)."""
    table = TABLES.get(base_language(language)) if not base_language(language) == "en" else None
    return dict(table.verbs).get(word, word) if table is not None else word


def language_of(view: View, site_language: str) -> str:
    """The answer's language tag: its own `language:`, else the knowledge base's."""
    return (view.answer.language or site_language or "en").replace("_", "-")


def language_name(tag: str) -> str:
    """A language's name in that language ("español", "English"), from CLDR through Babel; the tag itself when
    Babel does not know it."""
    try:
        name = BabelLocale.parse(tag.replace("-", "_")).language_name
    except (UnknownLocaleError, ValueError):
        return tag
    return name or tag
