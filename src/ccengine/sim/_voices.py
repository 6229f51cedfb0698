"""The simulated carrier's voices: what people and answering machines say, spoken once by
espeak-ng, brought to 8 kHz by sox (both installed by ``./dev setup``) and kept in a cache
directory, so later runs start at once.

A person answers briefly ("Hello?") and waits, then talks in short sentences with silences; a
machine speaks a long greeting and beeps. That is what the engine's answering-machine detection
separates (docs/media.md): a short greeting followed by silence is a person, more than two
seconds of speech a machine.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import tempfile
import wave
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Clip", "Voices", "default_cache", "make_voices", "spoken"]

#: (espeak-ng voice, words): how people answer; each clip ends in silence long enough for the
#: detector to call it a person.
HELLOS: tuple[tuple[str, str], ...] = (
    ("en-us", "Hello?"),
    ("en-gb", "Yes, hello."),
    ("fr-fr", "Allô ?"),
    ("en-us", "Hello, yes?"),
)
#: The person's side of the conversation, looped until they hang up: (voice, words, silence after).
TALK: tuple[tuple[str, str, float], ...] = (
    ("en-us", "Yes, I see.", 2.0),
    ("en-us", "And how much would that be?", 3.0),
    ("en-us", "Hmm.", 1.5),
    ("en-us", "I am not sure, let me think about it.", 2.5),
    ("en-us", "Okay.", 3.5),
    ("en-us", "Could you say that again, please?", 2.0),
    ("en-us", "That sounds fine.", 3.0),
)
#: Answering-machine greetings, each followed by a beep.
GREETINGS: tuple[tuple[str, str], ...] = (
    ("en-us", "Hello, you have reached the voicemail of John Smith. I am not available right now, "
              "please leave a message after the tone."),
    ("en-gb", "Hi, this is Sarah. Sorry I missed your call, leave your name and number and I will call you back."),
    ("fr-fr", "Bonjour, vous êtes bien sur la messagerie de Marie Dupont. Je ne suis pas disponible, "
              "laissez-moi un message après le bip."),
)
#: Seconds of silence before the first word (a phone brought to the ear) and after a hello.
PICKUP_SILENCE = 0.4
HELLO_SILENCE = 2.0
BEEP_SECONDS = 0.6
#: Changes whenever the recipe changes, so cached clips of an older recipe are not reused.
RECIPE = "1"


@dataclass(frozen=True, slots=True)
class Clip:
    path: Path
    seconds: float


@dataclass(frozen=True, slots=True)
class Voices:
    hellos: tuple[Clip, ...]
    talk: Clip
    greetings: tuple[Clip, ...]


def default_cache() -> Path:
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "ccengine" / "sim-voices"


def make_voices(cache: Path) -> Voices:
    """The clips, spoken now unless the cache already holds them (blocking: run it in a thread)."""
    cache.mkdir(parents=True, exist_ok=True)
    hellos = tuple(
        _clip(cache, f"hello-{i}", [(voice, words, HELLO_SILENCE)], PICKUP_SILENCE)
        for i, (voice, words) in enumerate(HELLOS)
    )
    talk = _clip(cache, "talk", list(TALK), 0.0)
    greetings = tuple(
        _clip(cache, f"greeting-{i}", [(voice, words, 0.3)], PICKUP_SILENCE, beep=True)
        for i, (voice, words) in enumerate(GREETINGS)
    )
    return Voices(hellos, talk, greetings)


def spoken(cache: Path, stem: str, voice: str, words: str) -> Clip:
    """One sentence spoken into an 8 kHz WAV (a prompt: the abandon or the machine message),
    cached like the voices (blocking: run it in a thread)."""
    cache.mkdir(parents=True, exist_ok=True)
    return _clip(cache, stem, [(voice, words, 0.3)], 0.2)


def _clip(cache: Path, stem: str, parts: list[tuple[str, str, float]], lead: float, *, beep: bool = False) -> Clip:
    recipe = repr((RECIPE, parts, lead, beep)).encode()
    path = cache / f"{stem}-{hashlib.sha256(recipe).hexdigest()[:12]}.wav"
    if not path.exists():
        with tempfile.TemporaryDirectory(dir=cache) as work:
            _speak(Path(work), parts, lead, beep, path)
    with wave.open(str(path)) as w:
        return Clip(path, w.getnframes() / w.getframerate())


def _speak(work: Path, parts: list[tuple[str, str, float]], lead: float, beep: bool, out: Path) -> None:
    pieces = []
    for i, (voice, words, silence) in enumerate(parts):
        spoken, piece = work / f"{i}-spoken.wav", work / f"{i}.wav"
        _run(["espeak-ng", "-v", voice, "-w", str(spoken), words])
        _run(["sox", str(spoken), "-r", "8000", "-c", "1", "-b", "16", str(piece),
              "pad", str(lead if i == 0 else 0.0), str(silence)])
        pieces.append(piece)
    if beep:
        tone = work / "beep.wav"
        _run(["sox", "-n", "-r", "8000", "-c", "1", "-b", "16", str(tone), "synth", str(BEEP_SECONDS), "sine", "1000",
              "vol", "0.5"])
        pieces.append(tone)
    joined = work / "joined.wav"
    if len(pieces) == 1:
        shutil.copyfile(pieces[0], joined)
    else:
        _run(["sox", *map(str, pieces), str(joined)])
    # A rename within one directory: a carrier starting beside this one sees the whole clip or none.
    joined.replace(out)


def _run(command: list[str]) -> None:
    try:
        subprocess.run(command, check=True, capture_output=True)
    except FileNotFoundError as err:
        raise OSError(f"{command[0]} is missing (./dev setup installs espeak-ng and sox)") from err
    except subprocess.CalledProcessError as err:
        raise OSError(f"{' '.join(command)} failed: {err.stderr.decode(errors='replace').strip()}") from err
