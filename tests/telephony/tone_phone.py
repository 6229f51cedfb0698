"""A pjsua2 phone in a process of its own (pjsua2 allows one Endpoint per process), for tests that
need two: it answers every call, plays a looped tone into it and records what it hears to a WAV.
As an agent it registers with digest credentials first; as a carrier it only listens.

Run as ``python -m tests.telephony.tone_phone --tone HZ --record PATH --seconds N
[--registrar HOST:PORT --user U --password P] [--play WAV]`` (``--play``: loop this WAV instead of
the tone, e.g. a spoken greeting). It prints ``ready PORT`` once listening, and
exits 0 when its last call has ended (or after ``--seconds``), with the recording complete."""

from __future__ import annotations

import argparse
import gc
import time
import wave
from pathlib import Path

import numpy as np
import pjsua2 as pj

from tests.telephony.softphone import headless_endpoint

RATE = 8000


class _Call(pj.Call):  # type: ignore[misc]
    def __init__(self, phone: _Phone, call_id: int) -> None:
        super().__init__(phone.account, call_id)
        self._phone = phone
        self.connected = False
        self.ended = False

    def onCallState(self, prm: pj.OnCallStateParam) -> None:  # pjsua2's callback name
        if self.getInfo().state == pj.PJSIP_INV_STATE_DISCONNECTED:
            self.ended = True

    def onCallMediaState(self, prm: pj.OnCallMediaStateParam) -> None:
        # Keep the CallInfo alive while reading its media: SWIG's vector points into it.
        info = self.getInfo()
        for i, media in enumerate(info.media):
            if media.type == pj.PJMEDIA_TYPE_AUDIO and media.status == pj.PJSUA_CALL_MEDIA_ACTIVE:
                audio = self.getAudioMedia(i)
                self._phone.player.startTransmit(audio)
                audio.startTransmit(self._phone.recorder)
                self.connected = True


class _Account(pj.Account):  # type: ignore[misc]
    def __init__(self, phone: _Phone) -> None:
        super().__init__()
        self._phone = phone

    def onIncomingCall(self, prm: pj.OnIncomingCallParam) -> None:
        call = _Call(self._phone, prm.callId)
        self._phone.calls.append(call)
        answer = pj.CallOpParam()
        answer.statusCode = 200
        call.answer(answer)


class _Phone:
    """Holds every pjsua2 object so they can all be dropped before ``libDestroy``."""

    def __init__(self, tone: Path, record: Path) -> None:
        self.calls: list[_Call] = []
        self.player = pj.AudioMediaPlayer()
        self.player.createPlayer(str(tone))
        self.recorder = pj.AudioMediaRecorder()
        self.recorder.createRecorder(str(record))
        self.account = _Account(self)


def write_tone(path: Path, hz: float) -> None:
    t = np.arange(RATE) / RATE
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes((6000 * np.sin(2 * np.pi * hz * t)).astype("<i2").tobytes())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tone", type=float, required=True)
    parser.add_argument("--record", type=Path, required=True)
    parser.add_argument("--seconds", type=float, required=True)
    parser.add_argument("--registrar")
    parser.add_argument("--user", default="carrier")
    parser.add_argument("--password")
    parser.add_argument("--play", type=Path)
    args = parser.parse_args()
    tone = args.play or args.record.with_suffix(".tone.wav")
    if args.play is None:
        write_tone(tone, args.tone)

    ep, port = headless_endpoint()
    phone = _Phone(tone, args.record)
    config = pj.AccountConfig()
    config.idUri = f"sip:{args.user}@127.0.0.1:{port}"
    config.mediaConfig.transportConfig.boundAddress = "127.0.0.1"
    if args.registrar:
        config.regConfig.registrarUri = f"sip:{args.registrar}"
        config.regConfig.timeoutSec = 300
        config.sipConfig.authCreds.append(pj.AuthCredInfo("digest", "*", args.user, 0, args.password))
    phone.account.create(config)
    print(f"ready {port}", flush=True)

    deadline = time.monotonic() + args.seconds
    while time.monotonic() < deadline:
        ep.libHandleEvents(10)
        if phone.calls and all(c.ended for c in phone.calls):
            break
    connected = any(c.connected for c in phone.calls)
    ep.hangupAllCalls()
    for _ in range(20):
        ep.libHandleEvents(10)
    # A pjsua2 object outliving libDestroy aborts the process; the WAV is complete once the
    # recorder is gone.
    phone.calls.clear()
    phone.account.shutdown()
    del phone
    gc.collect()
    ep.libDestroy()
    print(f"done connected={connected}", flush=True)


if __name__ == "__main__":
    main()
