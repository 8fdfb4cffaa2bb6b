"""The IVR channel heard, for the preview: SSML spoken by espeak-ng into a WAV, on demand, cached by content hash.

espeak-ng reads SSML (`-m`); the WAV is written to a file so its header holds the real length (espeak-ng's
standard output carries a placeholder length). Where espeak-ng is absent, `Unavailable` says how to get it.
"""
from __future__ import annotations

import hashlib
import re
import shutil
import subprocess
import tempfile
import threading
from collections import OrderedDict
from pathlib import Path

PROGRAM = "espeak-ng"
INSTALL_HINT = "install espeak-ng to hear the phone line (Debian and Ubuntu: apt-get install espeak-ng)"
SPEAK_SECONDS = 60.0  # the longest a single answer may take to synthesise
CACHE_BYTES = 64 * 1024 * 1024  # about 15 minutes of speech at espeak-ng's 22 kHz, 16-bit mono


class Unavailable(Exception):
    """No speech here: espeak-ng is not installed, or it could not speak this SSML (the message says which)."""


class Speaker:
    """WAVs of SSML documents, each made once per distinct (program, voice, SSML) and kept while they fit."""

    def __init__(self, program: str = PROGRAM, cache_bytes: int = CACHE_BYTES) -> None:
        self.program = program
        self.cache_bytes = cache_bytes
        self._cache: OrderedDict[str, bytes] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()
        self._making: dict[str, threading.Lock] = {}  # one synthesis per key at a time; others wait for it

    def available(self) -> bool:
        return shutil.which(self.program) is not None

    def wav(self, ssml: bytes, voice: str) -> bytes:
        """The WAV of `ssml` spoken with `voice` (an espeak-ng voice name such as en-us), or with the voice of
        the language the SSML declares (`xml:lang`) when that is another one: a translation is heard in its
        own language."""
        voice = ssml_voice(ssml, voice)
        key = hashlib.sha256(b"\0".join((self.program.encode(), voice.encode(), ssml))).hexdigest()
        with self._lock:
            making = self._making.setdefault(key, threading.Lock())
        with making:
            with self._lock:
                if key in self._cache:
                    self._cache.move_to_end(key)
                    return self._cache[key]
            data = None
            try:
                data = self._speak(ssml, voice)
            finally:
                with self._lock:
                    if data is not None:
                        self._keep(key, data)
                    self._making.pop(key, None)
            return data

    def _keep(self, key: str, data: bytes) -> None:
        if len(data) > self.cache_bytes:
            return
        self._cache[key] = data
        self._size += len(data)
        while self._size > self.cache_bytes:
            _, dropped = self._cache.popitem(last=False)
            self._size -= len(dropped)

    def _speak(self, ssml: bytes, voice: str) -> bytes:
        program = shutil.which(self.program)
        if program is None:
            raise Unavailable(f"{self.program} is not installed: {INSTALL_HINT}")
        with tempfile.TemporaryDirectory(prefix="one-answer-speech-") as folder:
            source, wav = Path(folder) / "answer.ssml", Path(folder) / "answer.wav"
            source.write_bytes(ssml)
            try:
                done = subprocess.run([program, "-m", "-v", voice, "-w", str(wav), "-f", str(source)],
                                      capture_output=True, timeout=SPEAK_SECONDS, check=False)
            except subprocess.TimeoutExpired:
                raise Unavailable(f"{self.program} took longer than {SPEAK_SECONDS:.0f} s") from None
            except OSError as error:
                raise Unavailable(f"{self.program} could not run: {error.strerror or error}") from None
            said = done.stderr.decode("utf-8", "replace").strip()
            if done.returncode != 0 or not wav.is_file():
                raise Unavailable(f"{self.program} failed (exit {done.returncode}): {said or 'no message'}")
            return wav.read_bytes()


# espeak-ng voices for tags it has no voice of that name for: Spanish of the Americas is its es-419.
_VOICES = {"es-us": "es-419", "es-mx": "es-419", "es-419": "es-419"}
_XML_LANG = re.compile(rb"""<speak\b[^>]*\bxml:lang\s*=\s*["']([A-Za-z0-9-]{1,35})["']""")


def voice_for(language: str) -> str:
    """espeak-ng's voice name for a BCP 47 language tag: en-US -> en-us (espeak-ng names are lowercase),
    es-US -> es-419 (its Latin American Spanish)."""
    tag = language.strip().lower().replace("_", "-") or "en-us"
    return _VOICES.get(tag, tag)


def ssml_voice(ssml: bytes, default: str) -> str:
    """The voice for the language `ssml` declares on <speak>, when its language differs from `default`'s."""
    found = _XML_LANG.search(ssml[:2048])
    if found is None:
        return default
    voice = voice_for(found.group(1).decode("ascii"))
    return default if voice.split("-")[0] == default.split("-")[0] else voice
