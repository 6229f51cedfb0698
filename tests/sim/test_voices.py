"""The carrier's voices: spoken once into the cache, 8 kHz mono, a hello short and followed by
silence, a greeting long and ending in a beep."""

from __future__ import annotations

import wave
from pathlib import Path

import numpy as np

from ccengine.sim import make_voices


def samples(path: Path) -> tuple[int, int, np.ndarray]:
    with wave.open(str(path)) as w:
        return w.getframerate(), w.getnchannels(), np.frombuffer(w.readframes(w.getnframes()), dtype="<i2")


def test_voices_are_spoken_once_and_shaped_for_detection(tmp_path: Path) -> None:
    voices = make_voices(tmp_path)
    stamps = {p: p.stat().st_mtime_ns for p in tmp_path.glob("*.wav")}
    assert len(stamps) == len(voices.hellos) + 1 + len(voices.greetings)
    assert make_voices(tmp_path) == voices
    assert {p: p.stat().st_mtime_ns for p in tmp_path.glob("*.wav")} == stamps, "a second run speaks nothing"
    for clip in (*voices.hellos, voices.talk, *voices.greetings):
        rate, channels, audio = samples(clip.path)
        assert (rate, channels) == (8000, 1)
        assert clip.seconds == len(audio) / rate
    for hello in voices.hellos:
        rate, _, audio = samples(hello.path)
        assert hello.seconds < 4.5
        assert np.abs(audio[-rate:].astype(int)).max() < 100, "a person waits in silence after hello"
    for greeting in voices.greetings:
        rate, _, audio = samples(greeting.path)
        assert greeting.seconds > 5
        beep = audio[-rate // 2:].astype(float)
        spectrum = np.abs(np.fft.rfft(beep))
        assert np.argmax(spectrum) * rate / len(beep) == 1000, "the greeting ends in a 1 kHz beep"
    assert voices.talk.seconds > 20
